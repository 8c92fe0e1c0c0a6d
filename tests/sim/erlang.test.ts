import { describe, expect, it } from 'vitest';
import { cobhamWaits, erlangA, erlangC } from '../../src/sim/erlang.ts';

// The worked figures of docs/routing.md §6, computed independently there.
describe('closed forms', () => {
  it('Erlang C: λ = 100/min, AHT 180 s', () => {
    const c310 = erlangC(100 / 60, 180, 310, 20);
    expect(c310.pWait).toBeCloseTo(0.45593, 5);
    expect(c310.asa).toBeCloseTo(8.207, 3);
    expect(c310.serviceLevel).toBeCloseTo(0.8499, 4);
    const c305 = erlangC(100 / 60, 180, 305, 20);
    expect(c305.pWait).toBeCloseTo(0.68805, 5);
    expect(c305.asa).toBeCloseTo(24.77, 2);
    expect(c305.serviceLevel).toBeCloseTo(0.6052, 4);
    expect(erlangC(100 / 60, 180, 309, 20).serviceLevel).toBeCloseTo(0.8173, 4);
    expect(erlangC(100 / 60, 180, 308, 20).serviceLevel).toBeLessThan(0.8);
  });

  it('Erlang A: mean patience 300 s', () => {
    const a305 = erlangA(100 / 60, 180, 305, 300, 20);
    expect(a305.pWait).toBeCloseTo(0.44125, 5);
    expect(a305.asa).toBeCloseTo(3.956, 3);
    expect(a305.pAbandon).toBeCloseTo(0.013186, 6);
    expect(a305.serviceLevel).toBeCloseTo(0.9494, 4);
    expect(a305.serviceLevel / (1 - a305.pAbandon)).toBeCloseTo(0.9621, 4);
    const a300 = erlangA(100 / 60, 180, 300, 300, 20);
    expect(a300.pWait).toBeCloseTo(0.57018, 5);
    expect(a300.asa).toBeCloseTo(6.031, 3);
    expect(a300.pAbandon).toBeCloseTo(0.020103, 6);
    expect(a300.serviceLevel).toBeCloseTo(0.9053, 4);
  });

  it('quick test: λ = 2/min, AHT 300 s, N = 12', () => {
    const c = erlangC(2 / 60, 300, 12, 20);
    expect(c.pWait).toBeCloseTo(0.44939, 5);
    expect(c.asa).toBeCloseTo(67.41, 2);
    expect(c.serviceLevel).toBeCloseTo(0.6067, 4);
    const a = erlangA(2 / 60, 300, 12, 180, 20);
    expect(a.pWait).toBeCloseTo(0.27371, 5);
    expect(a.pAbandon).toBeCloseTo(0.06381, 5);
    expect(a.asa).toBeCloseTo(11.49, 2);
    expect(a.serviceLevel).toBeCloseTo(0.7956, 4);
  });

  it('Cobham: 20% gold with strict priority at N = 310', () => {
    const [gold, reg] = cobhamWaits([0.2 * (100 / 60), 0.8 * (100 / 60)], 180, 310);
    expect(gold).toBeCloseTo(0.328, 3);
    expect(reg).toBeCloseTo(10.18, 2);
    // Conservation: the blended mean equals the Erlang C ASA.
    expect(0.2 * gold + 0.8 * reg).toBeCloseTo(erlangC(100 / 60, 180, 310, 20).asa, 6);
  });
});
