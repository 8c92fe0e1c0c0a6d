import fc from 'fast-check';
import { it } from 'vitest';
import { Engine, type ApplyResult, type Command } from '../src/index.ts';
import { decodeSnapshot, encodeSnapshot } from '../src/store/snapshot-codec.ts';
import { PAIRS, action, agentSpec, runScenario } from './property/scenario.ts';
class Recording extends Engine {
  entries: any[] = [];
  override apply(cmd: Command, now: number): ApplyResult { this.entries.push({ n: now, c: cmd }); return super.apply(cmd, now); }
}
it('dbg', () => {
  let diffs = 0, offersAfter = 0;
  for (const [[o, a], agents, actions] of fc.sample(fc.tuple(fc.constantFrom(...PAIRS), fc.tuple(...[0,1,2,3,4,5].map((i) => agentSpec(`a${i}`))), fc.array(action, { minLength: 20, maxLength: 150 })), 50) as any) {
  const r = new Recording({ ordering: o, agentSelection: a });
  runScenario(r, agents, actions);
  const e = new Engine({ ordering: o, agentSelection: a });
  const cut = Math.floor(r.entries.length / 2);
  for (const x of r.entries.slice(0, cut)) e.apply(x.c, x.n);
  const b = Engine.restore(decodeSnapshot(encodeSnapshot(e.snapshot())));
  for (const x of r.entries.slice(cut)) { const p = e.apply(x.c, x.n); const q = b.apply(x.c, x.n); offersAfter += p.events.filter((v: any) => v.type === 'InteractionOffered').length; if (JSON.stringify(p) !== JSON.stringify(q)) { diffs++; break; } }
  }
  console.log({ diffs, offersAfter });
});
