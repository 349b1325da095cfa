// One adversarial case against a live Env: latency windows before/during/after the attack, master
// RSS before/peak/after, the oracle, one figures line, and a JSON record for RESULTS.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Env } from './env.js';
import { RSS_ALLOWANCE } from './env.js';
import { RssSampler } from './procfs.js';
import { mb, ms, windowOf, type Window } from './stats.js';

export const RESULTS_DIR = fileURLToPath(new URL('../.results', import.meta.url));
const BEFORE_MS = 2000;
const AFTER_MS = 2000;
/** Fewer probe samples than this in the attack window would make the p99 meaningless. */
const MIN_DURING_SAMPLES = 10;

export interface AttackOutcome {
  /** What the attack did and what the master did about it (shown in the figures line). */
  counts: Record<string, number | string>;
  /** Oracle violations the attack itself found (a forged job ran, a bound not held, ...). */
  failures?: string[];
}

export interface CaseResult {
  name: string;
  transport: string;
  before: Window;
  during: Window;
  after: Window;
  limitP99: number;
  rss: { before: number; peak: number; after: number; budget: number };
  counts: Record<string, number | string>;
  failures: string[];
  /** Set when the case is a known failure waiting for another branch. */
  knownGap?: string;
  seconds: number;
}

/**
 * The latency oracle: p99 during ≤ max(3 × p99 before, p99 before + 100 ms). The floor keeps
 * scheduling noise on a shared 2-core box (three masters attacked at once) from failing a case;
 * the breakages of issue 10 were seconds, not tens of ms.
 */
export const latencyLimit = (before: number): number => Math.max(3 * before, before + 100);

export async function runCase(
  env: Env,
  name: string,
  attack: () => Promise<AttackOutcome>,
  opts: { rssAllowance?: number; knownGap?: string } = {},
): Promise<CaseResult> {
  const { master, probe } = env;
  const started = Date.now();
  const rss = new RssSampler(master.pid);
  const t0 = Date.now();
  await delay(BEFORE_MS); // the measurement window itself, not a synchronisation
  const rssBefore = rss.sample();
  rss.peak = rssBefore;
  const t1 = Date.now();
  let outcome: AttackOutcome;
  const failures: string[] = [];
  try {
    outcome = await attack();
  } catch (err) {
    outcome = { counts: {} };
    failures.push(`attack threw: ${err instanceof Error ? err.message : String(err)}`);
  }
  const t2 = Date.now();
  const peak = rss.peak;
  await delay(AFTER_MS);
  const rssAfter = rss.stop();
  const t3 = Date.now();
  const before = windowOf(probe.samples, t0, t1);
  const during = windowOf(probe.samples, t1, t2);
  const after = windowOf(probe.samples, t2, t3);
  const budget = rssBefore + (opts.rssAllowance ?? RSS_ALLOWANCE);
  const limitP99 = latencyLimit(before.p99);

  failures.push(...(outcome.failures ?? []));
  if (during.n < MIN_DURING_SAMPLES && t2 - t1 > 1000)
    failures.push(`only ${during.n} probe samples during the attack`);
  if (during.p99 > limitP99) failures.push(`legit p99 during ${ms(during.p99)} ms > ${ms(limitP99)} ms`);
  const refused = before.errors + during.errors + after.errors;
  if (refused > 0) failures.push(`legit requests refused or timed out: ${refused}`);
  if (peak > budget) failures.push(`master RSS peak ${mb(peak)} MB > budget ${mb(budget)} MB`);
  if (!master.alive()) failures.push(`master exited (${String(master.exitCode())})`);
  if (!probe.alive()) failures.push('probe minion exited');
  const crashes = master.crashLines();
  if (crashes.length > 0) failures.push(`master logged: ${crashes.slice(0, 2).join(' | ')}`);
  if (!env.minion.alive()) failures.push(`brine minion exited (${String(env.minion.exitCode())})`);
  else {
    const live = await master.run(env.minion.id, 'test.ping', [], 15);
    if (live.returns?.[env.minion.id] !== true)
      failures.push(`brine run ${env.minion.id} test.ping after the attack: exit ${live.code} ${live.stdout.trim()}`);
  }

  const result: CaseResult = {
    name,
    transport: env.transport,
    before,
    during,
    after,
    limitP99,
    rss: { before: rssBefore, peak, after: rssAfter, budget },
    counts: outcome.counts,
    failures,
    ...(opts.knownGap ? { knownGap: opts.knownGap } : {}),
    seconds: (Date.now() - started) / 1000,
  };
  console.log(figuresLine(result));
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, `${env.transport}--${name.replace(/[^a-z0-9]+/gi, '-')}.json`),
    JSON.stringify(result, null, 2),
  );
  return result;
}

export function figuresLine(r: CaseResult): string {
  const lat = (w: Window): string => `${ms(w.p50)}/${ms(w.p99)}`;
  const counts = Object.entries(r.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const verdict = r.failures.length === 0 ? 'PASS' : `FAIL: ${r.failures.join('; ')}`;
  return (
    `[adversarial] ${r.transport} ${r.name}: p50/p99 ms before ${lat(r.before)} during ${lat(r.during)} (n=${r.during.n}, limit ${ms(r.limitP99)}) after ${lat(r.after)}; ` +
    `RSS MB ${mb(r.rss.before)}/${mb(r.rss.peak)}/${mb(r.rss.after)} (budget ${mb(r.rss.budget)}); ${counts}; ${verdict}`
  );
}
