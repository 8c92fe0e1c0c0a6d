/**
 * Counters and histograms for the paths every routed interaction takes (several updates per
 * interaction and per message). prom-client's own metrics build a key string from the label
 * values, validate them and look the key up in a plain object on every update; at tens of
 * thousands of interactions a second that was a tenth of the server's time. Here a label set
 * is found through one Map per label (no string is built) and an update is an addition; the
 * exposition is still prom-client's: these objects are registered in its Registry and answer
 * its `get()` with the same values its Counter and Histogram give, so the text is identical.
 */
import type { Metric, Registry } from 'prom-client';

/** One sample as prom-client's registry reads it from a metric's `get()`. */
interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
  readonly sharedLabels?: Record<string, string>;
}
interface Exposed {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: Sample[];
}

interface Entry<V> {
  readonly labels: Record<string, string>;
  readonly v: V;
}

/** Values by label set, reached through nested Maps keyed by each label's value. */
class Series<V> {
  private readonly root = new Map<string, unknown>();
  private lone: Entry<V> | null = null;
  readonly entries: Entry<V>[] = [];
  constructor(
    private readonly labelNames: readonly string[],
    private readonly make: () => V,
  ) {
    if (labelNames.length > 3) throw new Error('a tally takes at most three labels');
    // Without labels the one series exists from the start (as prom-client's does, at zero).
    if (labelNames.length === 0) this.at();
  }

  clear(): void {
    this.root.clear();
    this.entries.length = 0;
    this.lone = null;
    if (this.labelNames.length === 0) this.at();
  }

  /** The value for these label values (in labelNames order), created on first use. */
  at(a?: string, b?: string, c?: string): V {
    const depth = this.labelNames.length;
    if (depth === 0) return (this.lone ??= this.add([])).v;
    let node = this.root;
    if (depth > 1) node = child(node, a!);
    if (depth > 2) node = child(node, b!);
    const last = depth === 1 ? a! : depth === 2 ? b! : c!;
    let e = node.get(last) as Entry<V> | undefined;
    if (e === undefined) {
      e = this.add([a!, b!, c!].slice(0, depth));
      node.set(last, e);
    }
    return e.v;
  }

  private add(values: string[]): Entry<V> {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((n, i) => {
      labels[n] = values[i];
    });
    const e = { labels, v: this.make() };
    this.entries.push(e);
    return e;
  }
}

function child(node: Map<string, unknown>, key: string): Map<string, unknown> {
  let next = node.get(key) as Map<string, unknown> | undefined;
  if (next === undefined) node.set(key, (next = new Map()));
  return next;
}

interface Spec {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  readonly registers: Registry[];
}

abstract class Tally<V> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator = 'sum' as const;
  protected readonly series: Series<V>;
  constructor(spec: Spec, make: () => V) {
    this.name = spec.name;
    this.help = spec.help;
    this.labelNames = spec.labelNames ?? [];
    this.series = new Series(this.labelNames, make);
    for (const r of spec.registers) r.registerMetric(this as unknown as Metric);
  }
  /** Forgets every label set (the registry's resetMetrics()). */
  reset(): void {
    this.series.clear();
  }
}

/** A monotonic counter (Prometheus type counter). */
export class TallyCounter extends Tally<{ n: number }> {
  readonly type = 'counter' as const;
  constructor(spec: Spec) {
    super(spec, () => ({ n: 0 }));
  }
  /** Adds `by` to the label set (a, b, c). */
  inc(by: number, a?: string, b?: string, c?: string): void {
    this.series.at(a, b, c).n += by;
  }
  get(): Promise<Exposed> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.series.entries.map((e) => ({ labels: e.labels, value: e.v.n })),
    });
  }
}

interface Bins {
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A histogram with fixed upper bounds (Prometheus type histogram). */
export class TallyHistogram extends Tally<Bins> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  constructor(spec: Spec & { readonly buckets: readonly number[] }) {
    const buckets = [...spec.buckets].sort((x, y) => x - y);
    super(spec, () => ({ counts: new Float64Array(buckets.length + 1), sum: 0, count: 0 }));
    this.buckets = buckets;
  }
  /** Records `value` under the label set (a, b, c). */
  observe(value: number, a?: string, b?: string, c?: string): void {
    // prom-client throws on NaN and infinities; a metric must never fail the request it measures.
    if (!Number.isFinite(value)) return;
    const bins = this.series.at(a, b, c);
    const bounds = this.buckets;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    bins.counts[i]++;
    bins.sum += value;
    bins.count++;
  }
  /** What the registry's text exposition reads: `le` first, then the shared label set. */
  getForPromString(): Promise<Exposed> {
    return Promise.resolve(this.collect(true));
  }
  /** The registry's JSON form: each value with its labels merged, `le` included. */
  get(): Promise<Exposed> {
    return Promise.resolve(this.collect(false));
  }

  private collect(shared: boolean): Exposed {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, v } of this.series.entries) {
      let acc = 0;
      const row = (le: number | string, value: number): Sample =>
        shared ? { labels: { le }, sharedLabels: labels, value, metricName: bucket } : { labels: { ...labels, le }, value, metricName: bucket };
      this.buckets.forEach((bound, i) => {
        acc += v.counts[i];
        values.push(row(bound, acc));
      });
      values.push(row('+Inf', v.count));
      values.push({ labels, value: v.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: v.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
