import { describe, expect, it } from 'vitest';
import { LogHistogram, percentile, Samples, summarize } from '../src/stats/index.js';

describe('percentile (nearest rank)', () => {
  it('picks the smallest value with at least q of the samples at or below it', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(sorted, 0.999)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 1)).toBe(100);
  });

  it('handles one sample and none', () => {
    expect(percentile([7], 0.5)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });
});

describe('summarize', () => {
  it('sorts a copy and reports count, min, mean, percentiles and max', () => {
    const values = [5, 1, 4, 2, 3];
    const s = summarize(values);
    expect(s).toEqual({ count: 5, min: 1, mean: 3, p50: 3, p99: 5, p999: 5, max: 5 });
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });

  it('is all zeros for no samples', () => {
    expect(summarize([])).toEqual({ count: 0, min: 0, mean: 0, p50: 0, p99: 0, p999: 0, max: 0 });
  });

  it('p999 separates a rare outlier from p99', () => {
    const values = Array.from({ length: 10_000 }, () => 10);
    for (let i = 0; i < 5; i++) values[i] = 1_000;
    const s = summarize(values);
    expect(s.p99).toBe(10);
    expect(s.p999).toBe(10);
    for (let i = 0; i < 50; i++) values[i] = 1_000;
    expect(summarize(values).p999).toBe(1_000);
  });
});

describe('Samples', () => {
  it('grows past its initial capacity and keeps every value', () => {
    const samples = new Samples(16);
    for (let i = 1000; i > 0; i--) samples.push(i);
    expect(samples.length).toBe(1000);
    expect(samples.summary()).toMatchObject({ count: 1000, min: 1, max: 1000, p50: 500, p99: 990 });
    samples.clear();
    expect(samples.length).toBe(0);
  });
});

describe('LogHistogram', () => {
  it('is exact below 128 µs', () => {
    const h = new LogHistogram();
    for (let v = 0; v < 100; v++) h.record(v + 0.25);
    expect(h.percentile(0.5)).toBeCloseTo(49.5, 5);
    expect(h.summary()).toMatchObject({ count: 100, min: 0.25, max: 99.25 });
  });

  it('stays within 2 % of the exact percentiles over six orders of magnitude', () => {
    const values: number[] = [];
    let x = 1;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 48271) % 2147483647;
      values.push(10 ** (1 + (x / 2147483647) * 5)); // 10 µs .. 1 s, log-uniform
    }
    const h = new LogHistogram();
    for (const v of values) h.record(v);
    const exact = summarize(values);
    const approx = h.summary();
    for (const key of ['p50', 'p99', 'p999'] as const) {
      expect(Math.abs(approx[key] - exact[key]) / exact[key]).toBeLessThan(0.02);
    }
    expect(approx.min).toBe(exact.min);
    expect(approx.max).toBe(exact.max);
    expect(approx.mean).toBeCloseTo(exact.mean, 6);
  });

  it('bucket indexes round-trip to values inside their bucket', () => {
    for (const v of [0, 1, 127.9]) {
      expect(Math.abs(LogHistogram.valueOf(LogHistogram.bucketOf(v)) - v)).toBeLessThanOrEqual(0.5);
    }
    for (const v of [128, 129, 1000, 65_535, 1e6, 3.3e7]) {
      const mid = LogHistogram.valueOf(LogHistogram.bucketOf(v));
      expect(Math.abs(mid - v) / v).toBeLessThan(0.02);
    }
  });

  it('merges serialized histograms from other processes', () => {
    const a = new LogHistogram();
    const b = new LogHistogram();
    for (let i = 0; i < 1000; i++) a.record(100);
    for (let i = 0; i < 1000; i++) b.record(10_000);
    const merged = LogHistogram.from(JSON.parse(JSON.stringify(a.toJSON())));
    merged.merge(b.toJSON());
    expect(merged.count).toBe(2000);
    expect(merged.summary().min).toBe(100);
    expect(merged.summary().max).toBe(10_000);
    expect(merged.percentile(0.5)).toBeLessThan(200);
    expect(merged.percentile(0.51)).toBeGreaterThan(9_800);
  });

  it('summarizes nothing as zeros', () => {
    expect(new LogHistogram().summary().count).toBe(0);
  });
});
