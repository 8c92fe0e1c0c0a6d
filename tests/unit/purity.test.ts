import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/architecture.md (What may import what): the routing core never does I/O, never reads a clock or the environment,
// and imports nothing outside src/queues (src/engine) or nothing of ours at all (src/queues).
const root = join(import.meta.dirname, '../../src');
const forbidden: [RegExp, string][] = [
  [/from\s+['"]node:/, 'node: import'],
  [/from\s+['"](ioredis|uWebSockets\.js|pino|prom-client|msgpackr|zod|fs|net|http|os|child_process)['"]/, 'I/O library import'],
  [/\brequire\s*\(/, 'require()'],
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew Date\s*\(/, 'new Date()'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, 'timer'],
  [/\bprocess\./, 'process.*'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('the wire protocol runs in browsers too', () => {
  it('src/protocol imports no node: module and uses no Buffer or process', () => {
    const found: string[] = [];
    for (const f of files(join(root, 'protocol'))) {
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/from\s+['"]node:/.test(text) || /\bBuffer\./.test(text) || /\bprocess\./.test(text)) found.push(f);
    }
    expect(found).toEqual([]);
  });
});

describe('the routing core is pure', () => {
  for (const dir of ['engine', 'queues']) {
    it(`src/${dir} has no I/O, clock, timers, environment or randomness`, () => {
      const list = files(join(root, dir));
      expect(list.length).toBeGreaterThan(0);
      const found: string[] = [];
      for (const f of list) {
        const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        for (const [re, what] of forbidden) if (re.test(text)) found.push(`${f}: ${what}`);
        for (const m of text.matchAll(/from\s+['"](\.[^'"]+)['"]/g)) {
          const target = join(f, '..', m[1]);
          const allowed = dir === 'engine' ? [join(root, 'engine'), join(root, 'queues')] : [join(root, 'queues')];
          if (!allowed.some((a) => target.startsWith(a))) found.push(`${f}: imports ${m[1]}`);
        }
      }
      expect(found).toEqual([]);
    });
  }
});
