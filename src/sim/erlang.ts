/**
 * Closed forms for validating the simulator (docs/routing.md §6). Times in seconds.
 * A = λ·AHT offered load in Erlangs, N agents, T service-level threshold, θ abandonment rate
 * (1 / mean patience).
 */

export interface ErlangCResult {
  readonly pWait: number;
  readonly asa: number;
  /** P(answered within T) among all arrivals (no abandonment in Erlang C). */
  readonly serviceLevel: number;
}

/** Erlang C via the stable Erlang B recursion B₀ = 1, B_k = A·B_{k−1}/(k + A·B_{k−1}). */
export function erlangC(lambdaPerSec: number, ahtSec: number, agents: number, thresholdSec: number): ErlangCResult {
  const A = lambdaPerSec * ahtSec;
  if (A >= agents) return { pWait: 1, asa: Number.POSITIVE_INFINITY, serviceLevel: 0 };
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (A * b) / (k + A * b);
  const c = (agents * b) / (agents - A * (1 - b));
  return {
    pWait: c,
    asa: (c * ahtSec) / (agents - A),
    serviceLevel: 1 - c * Math.exp((-(agents - A) * thresholdSec) / ahtSec),
  };
}

export interface ErlangAResult {
  readonly pWait: number;
  readonly pAbandon: number;
  /** Mean wait over all arrivals (answered and abandoned): E[Q]/λ. */
  readonly asa: number;
  /** P(answered within T) among all arrivals. */
  readonly serviceLevel: number;
}

/**
 * Erlang A (M/M/N+M) from its birth–death chain: π_n ∝ ∏ λ/(min(k,N)μ + (k−N)⁺θ), truncated where
 * the tail is negligible.
 */
export function erlangA(lambdaPerSec: number, ahtSec: number, agents: number, patienceSec: number, thresholdSec: number): ErlangAResult {
  const mu = 1 / ahtSec;
  const theta = 1 / patienceSec;
  // Unnormalised probabilities, in log space to stay finite for large N.
  const logp: number[] = [0];
  let n = 0;
  for (;;) {
    n++;
    const rate = Math.min(n, agents) * mu + Math.max(0, n - agents) * theta;
    logp.push(logp[n - 1] + Math.log(lambdaPerSec / rate));
    if (n > agents && logp[n] < logp[agents] - 50) break;
    if (n > agents + 1_000_000) break;
  }
  const max = Math.max(...logp);
  const p = logp.map((l) => Math.exp(l - max));
  const total = p.reduce((a, b) => a + b, 0);
  let pWait = 0;
  let eq = 0;
  for (let k = agents; k < p.length; k++) {
    pWait += p[k] / total;
    eq += ((k - agents) * p[k]) / total;
  }
  // SL among arrivals (PASTA: an arrival sees state k with probability π_k). One that finds j
  // waiting has j ahead; each next event comes at rate r_j = Nμ + jθ (someone ahead served or
  // gone; at j = 0 the arrival itself is served) and it abandons at rate θ. The probability of
  // being served within t is computed for every j at once by uniformisation, which stays exact
  // where the hypoexponential closed form cancels catastrophically (rates a hair apart).
  const qmax = p.length - agents;
  const Lambda = agents * mu + qmax * theta + theta;
  const lt = Lambda * thresholdSec;
  const steps = Math.ceil(lt + 12 * Math.sqrt(lt) + 30);
  let g = new Float64Array(qmax);
  let next = new Float64Array(qmax);
  const served = new Float64Array(qmax);
  let pois = Math.exp(-lt);
  let poisLog = -lt;
  for (let n = 1; n <= steps; n++) {
    for (let j = 0; j < qmax; j++) {
      const r = agents * mu + j * theta;
      const ahead = j === 0 ? 1 : g[j - 1];
      next[j] = (r / Lambda) * ahead + (1 - (r + theta) / Lambda) * g[j];
    }
    [g, next] = [next, g];
    poisLog += Math.log(lt / n);
    pois = Math.exp(poisLog);
    for (let j = 0; j < qmax; j++) served[j] += pois * g[j];
  }
  let sl = 0;
  for (let k = 0; k < agents; k++) sl += p[k] / total;
  for (let j = 0; j < qmax; j++) sl += (p[agents + j] / total) * served[j];
  return { pWait, pAbandon: (theta * eq) / lambdaPerSec, asa: eq / lambdaPerSec, serviceLevel: sl };
}

/**
 * Mean waits per class of an M/M/N queue with non-preemptive strict priority and a common
 * service rate (Cobham): W_k = (C/(Nμ)) / ((1 − σ_{k−1})(1 − σ_k)), σ_k = Σ_{i≤k} λ_i/(Nμ).
 * Classes in priority order (highest first).
 */
export function cobhamWaits(lambdasPerSec: readonly number[], ahtSec: number, agents: number): number[] {
  const lambda = lambdasPerSec.reduce((a, b) => a + b, 0);
  const c = erlangC(lambda, ahtSec, agents, 0).pWait;
  const base = (c * ahtSec) / agents;
  const out: number[] = [];
  let sigma = 0;
  for (const l of lambdasPerSec) {
    const prev = sigma;
    sigma += (l * ahtSec) / agents;
    out.push(base / ((1 - prev) * (1 - sigma)));
  }
  return out;
}
