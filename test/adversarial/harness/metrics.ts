// The master's Prometheus endpoint (`metrics_port`, docs/metrics.md), read as an operator's scraper
// would: counters the cases assert on (refusals by code, requests by command).
import { HOST } from '../attackers/clients.js';

/** The text of `GET /metrics`. */
export async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://${HOST}:${port}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return res.text();
}

/**
 * The sum of every sample of `name` whose labels include `labels` (0 when none: counters with
 * labels appear on first use). `name{a="x",b="y"} 3` lines; no escaping needed for our labels.
 */
export function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!] as const));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** `label value -> sum` over the samples of `name` (e.g. refusals by `code`). */
export function seriesBy(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const v = new RegExp(`${label}="([^"]*)"`).exec(m[2]!)?.[1];
    if (v !== undefined) out[v] = (out[v] ?? 0) + Number(m[3]);
  }
  return out;
}
