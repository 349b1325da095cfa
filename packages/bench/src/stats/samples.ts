import type { Summary } from '../results.js';

export const EMPTY_SUMMARY: Summary = Object.freeze({ count: 0, min: 0, mean: 0, p50: 0, p99: 0, p999: 0, max: 0 });

/**
 * Nearest-rank percentile of an ascending array: the smallest value with at least `q` of the
 * samples at or below it (q in [0, 1]).
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.ceil(q * n);
  const index = Math.min(n - 1, Math.max(0, rank - 1));
  return sorted[index]!;
}

/** Exact summary: sorts a copy of the values. */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return { ...EMPTY_SUMMARY };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    min: sorted[0]!,
    mean: sum / n,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted[n - 1]!,
  };
}

/** A growable buffer of samples (latencies in µs) summarized exactly. */
export class Samples {
  private buffer: Float64Array;
  private n = 0;

  constructor(initialCapacity = 1 << 16) {
    this.buffer = new Float64Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.n;
  }

  push(value: number): void {
    if (this.n === this.buffer.length) {
      const next = new Float64Array(this.buffer.length * 2);
      next.set(this.buffer);
      this.buffer = next;
    }
    this.buffer[this.n++] = value;
  }

  clear(): void {
    this.n = 0;
  }

  values(): Float64Array {
    return this.buffer.subarray(0, this.n);
  }

  summary(): Summary {
    return summarize(this.values());
  }
}
