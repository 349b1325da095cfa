import type { Sample } from './probe.js';

export interface Window {
  n: number;
  errors: number;
  p50: number;
  p99: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/** Latency figures of the samples started in [from, to). Failed samples count as errors, not latencies. */
export function windowOf(samples: readonly Sample[], from: number, to: number): Window {
  const inside = samples.filter((s) => s.t >= from && s.t < to);
  const ok = inside
    .filter((s) => s.error === undefined)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  return { n: inside.length, errors: inside.length - ok.length, p50: quantile(ok, 0.5), p99: quantile(ok, 0.99) };
}

export const MiB = 1024 * 1024;
export const KiB = 1024;
export const mb = (bytes: number): string => (bytes / MiB).toFixed(1);
export const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');
