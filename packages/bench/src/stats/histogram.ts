import type { Summary } from '../results.js';
import { EMPTY_SUMMARY } from './samples.js';

/** Sub-buckets per power of two above the linear range: values are kept within 1/64 (1.6 %). */
const SUB = 64;
const LINEAR = 2 * SUB;

/** Serialized form (sent over IPC between processes and merged). */
export interface HistogramData {
  counts: Array<[index: number, count: number]>;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * An HdrHistogram-like log-linear histogram of non-negative values (µs): exact below 128, then 64
 * buckets per power of two. Mergeable, so processes can each record and send their counts.
 */
export class LogHistogram {
  private readonly counts = new Map<number, number>();
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;

  static bucketOf(value: number): number {
    const v = Math.max(0, value);
    if (v < LINEAR) return Math.floor(v);
    const k = Math.floor(Math.log2(v / SUB));
    const mantissa = Math.min(2 * SUB - 1, Math.floor(v / 2 ** k));
    return LINEAR + (k - 1) * SUB + (mantissa - SUB);
  }

  /** The value reported for a bucket: its midpoint. */
  static valueOf(index: number): number {
    if (index < LINEAR) return index + 0.5;
    const k = Math.floor((index - LINEAR) / SUB) + 1;
    const mantissa = ((index - LINEAR) % SUB) + SUB;
    return (mantissa + 0.5) * 2 ** k;
  }

  static from(data: HistogramData): LogHistogram {
    const h = new LogHistogram();
    h.merge(data);
    return h;
  }

  get count(): number {
    return this.n;
  }

  record(value: number): void {
    const index = LogHistogram.bucketOf(value);
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1);
    this.n++;
    this.sum += value;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }

  merge(other: HistogramData | LogHistogram): void {
    const data = other instanceof LogHistogram ? other.toJSON() : other;
    for (const [index, count] of data.counts) this.counts.set(index, (this.counts.get(index) ?? 0) + count);
    this.n += data.count;
    this.sum += data.sum;
    if (data.count > 0) {
      this.lo = Math.min(this.lo, data.min);
      this.hi = Math.max(this.hi, data.max);
    }
  }

  /** Nearest-rank percentile, reported as the bucket midpoint clamped to the exact min and max. */
  percentile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (const index of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(index)!;
      if (seen >= rank) return Math.min(this.hi, Math.max(this.lo, LogHistogram.valueOf(index)));
    }
    return this.hi;
  }

  summary(): Summary {
    if (this.n === 0) return { ...EMPTY_SUMMARY };
    return {
      count: this.n,
      min: this.lo,
      mean: this.sum / this.n,
      p50: this.percentile(0.5),
      p99: this.percentile(0.99),
      p999: this.percentile(0.999),
      max: this.hi,
    };
  }

  toJSON(): HistogramData {
    return {
      counts: [...this.counts.entries()],
      count: this.n,
      sum: this.sum,
      min: this.n > 0 ? this.lo : 0,
      max: this.n > 0 ? this.hi : 0,
    };
  }
}
