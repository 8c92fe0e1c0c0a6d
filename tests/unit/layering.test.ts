import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/architecture.md: the layers and what may import what. Every relative import in src/ is
// read (type-only ones too: they tie the files as tightly for a reader).
const root = resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

/** file (relative to src/) → the files it imports (relative to src/). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files(root)) {
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const targets: string[] = [];
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) targets.push(relative(root, resolve(dirname(f), m[1])));
    graph.set(relative(root, f), targets);
  }
  return graph;
}

const graph = importGraph();

/** Every back edge found by a depth-first search, as the cycle it closes. */
function findCycles(g: ReadonlyMap<string, readonly string[]>): string[] {
  const colour = new Map<string, 'grey' | 'black'>();
  const cycles: string[] = [];
  const path: string[] = [];
  const visit = (f: string): void => {
    colour.set(f, 'grey');
    path.push(f);
    for (const t of g.get(f) ?? []) {
      if (!g.has(t)) continue;
      const c = colour.get(t);
      if (c === 'grey') cycles.push([...path.slice(path.indexOf(t)), t].join(' → '));
      else if (c === undefined) visit(t);
    }
    path.pop();
    colour.set(f, 'black');
  };
  for (const f of g.keys()) if (!colour.has(f)) visit(f);
  return cycles;
}

describe('the layering holds', () => {
  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get('engine/engine.ts')).toContain('engine/matching.ts');
  });

  it('nothing inside src/engine imports engine.ts (it is the public face)', () => {
    const found = [...graph].filter(([f, ts]) => f.startsWith('engine/') && ts.includes('engine/engine.ts')).map(([f]) => f);
    expect(found).toEqual([]);
  });

  it('the transport imports nothing of the shell but its ports', () => {
    const found: string[] = [];
    for (const [f, ts] of graph) {
      if (!f.startsWith('transport/')) continue;
      for (const t of ts)
        if ((t.startsWith('shell/') && t !== 'shell/ports.ts') || t.startsWith('engine/') || t.startsWith('store/')) found.push(`${f} → ${t}`);
    }
    expect(found).toEqual([]);
  });

  it("the shell's ports carry nothing of the engine, the store or the rest of the shell to the transport", () => {
    expect(graph.get('shell/ports.ts')?.filter((t) => !t.startsWith('protocol/'))).toEqual([]);
  });

  it('the shell imports nothing of the transport', () => {
    const found = [...graph]
      .filter(([f]) => f.startsWith('shell/'))
      .flatMap(([f, ts]) => ts.filter((t) => t.startsWith('transport/')).map((t) => `${f} → ${t}`));
    expect(found).toEqual([]);
  });

  it('the operator CLI imports only the protocol and itself, and only main.ts imports it', () => {
    const found: string[] = [];
    for (const [f, ts] of graph) {
      if (f.startsWith('cli/')) for (const t of ts) if (!t.startsWith('cli/') && !t.startsWith('protocol/')) found.push(`${f} → ${t}`);
      if (!f.startsWith('cli/') && f !== 'main.ts') for (const t of ts) if (t.startsWith('cli/')) found.push(`${f} → ${t}`);
    }
    expect(found).toEqual([]);
    expect(graph.get('main.ts')).toContain('cli/run.ts');
  });

  it('the operator CLI takes only types from the protocol (it loads nothing of the server at run time)', () => {
    const found: string[] = [];
    for (const f of files(join(root, 'cli'))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        const [, typeOnly, target] = m;
        const own = target.startsWith('.') && relative(root, resolve(dirname(f), target)).startsWith('cli/');
        if (!typeOnly && !own && !target.startsWith('node:')) found.push(`${relative(root, f)} → ${target}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('the cycle finder finds a cycle (checked on a graph that has one)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(g)).toEqual(['a → b → c → a']);
  });

  it('there is no import cycle anywhere in src/', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('no file in src/ is over 1,300 lines', () => {
    const long = files(root)
      .map((f) => [relative(root, f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 1300);
    expect(long).toEqual([]);
  });
});
