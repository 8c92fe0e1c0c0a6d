import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Metrics } from '../../src/metrics/metrics.ts';

/**
 * The alert rules and the Grafana dashboard may only name metrics (and label names) that the
 * server registers: a renamed metric must break this test, not a dashboard at 3 a.m.
 */
const metrics = new Metrics();
const registered = new Map<string, Set<string>>();
for (const m of await metrics.registry.getMetricsAsJSON()) {
  const single = metrics.registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] };
  registered.set(m.name, new Set([...(single.labelNames ?? []), ...(String(m.type) === 'histogram' ? ['le'] : [])]));
}
const SUFFIXES = ['_bucket', '_sum', '_count'];
const base = (name: string) => {
  if (registered.has(name)) return name;
  const s = SUFFIXES.find((x) => name.endsWith(x));
  return s ? name.slice(0, -s.length) : name;
};
/** Metric selectors in a PromQL expression: name and the label names it matches on. */
function selectors(expr: string): { name: string; labels: string[] }[] {
  const out: { name: string; labels: string[] }[] = [];
  for (const m of expr.matchAll(/\b((?:switchboard|nodejs|process)_[a-z0-9_]+)(\{([^}]*)\})?/g)) {
    const labels = m[3] ? [...m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1]) : [];
    out.push({ name: m[1], labels });
  }
  return out;
}
function check(where: string, expr: string) {
  const found = selectors(expr);
  expect(found.length, `${where}: names no metric`).toBeGreaterThan(0);
  let depth = 0;
  for (const ch of expr) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    expect(depth, `${where}: unbalanced parentheses`).toBeGreaterThanOrEqual(0);
  }
  expect(depth, `${where}: unbalanced parentheses`).toBe(0);
  for (const { name, labels } of found) {
    const known = registered.get(base(name));
    expect(known, `${where}: ${name} is not a registered metric`).toBeDefined();
    for (const l of labels) expect(known!.has(l), `${where}: ${name} has no label ${l}`).toBe(true);
  }
}

describe('alert rules and dashboard', () => {
  it('every alert expression refers to registered metrics and labels, and every rule is complete', () => {
    const doc = parse(readFileSync(new URL('../../docs/alerts.yml', import.meta.url), 'utf8')) as {
      groups: { name: string; rules: Record<string, unknown>[] }[];
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['SwitchboardServiceLevelBelowObjective', 'SwitchboardQueueGrowing', 'SwitchboardNoAgentsAvailable']),
    );
    for (const r of rules) {
      expect(typeof r.alert).toBe('string');
      expect(r.labels).toHaveProperty('severity');
      expect(r.annotations).toHaveProperty('summary');
      check(String(r.alert), String(r.expr));
    }
  });

  it('every dashboard query refers to registered metrics and labels', () => {
    const dash = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { query: string }[] };
    };
    expect(dash.panels.length).toBeGreaterThan(10);
    for (const p of dash.panels) for (const t of p.targets) check(p.title, t.expr);
    for (const v of dash.templating.list) if (v.query.includes('(')) check('templating', v.query);
  });

  it('the checker itself rejects an unknown metric and an unknown label', () => {
    expect(() => check('bad', 'rate(switchboard_no_such_metric_total[5m])')).toThrow();
    expect(() => check('bad', 'switchboard_agents{colour="red"}')).toThrow();
  });
});
