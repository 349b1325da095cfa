/** `runBench`: runs the chosen families side by side, checks the targets and writes the outputs. */
import { preloadTransports } from './transports.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, ErrorCodes } from '@brine/contracts';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { killAllChildren } from './children/parent.js';
import { RunContext } from './context.js';
import { machineInfo } from './machine.js';
import { orderedFamilies, orderedTransports, type BenchOptions } from './options.js';
import { FULL, QUICK } from './profile.js';
import { Progress } from './progress.js';
import { formatHtml } from './report/html.js';
import { updateBenchmarksMd } from './report/markdown.js';
import { DEFAULT_COLUMNS, formatTable } from './report/table.js';
import { repoRoot } from './repo.js';
import type { BenchResults, Family } from './results.js';
import { runAuth } from './scenarios/auth.js';
import { runPubSub } from './scenarios/pubsub.js';
import { runReqRep } from './scenarios/reqrep.js';
import { runSalt } from './scenarios/salt.js';
import { checkTargets } from './targets.js';

export interface BenchOutputs {
  results: BenchResults;
  /** Files written. */
  files: string[];
}

export async function runBench(options: BenchOptions = {}): Promise<BenchOutputs> {
  await preloadTransports();
  const root = repoRoot();
  if (options.from) {
    const results = readResults(options.from);
    return { results, files: writeOutputs(results, { ...options, json: options.json ?? false }, root) };
  }
  const profile = options.quick ? QUICK : FULL;
  const families = orderedFamilies(options.only);
  const transports = orderedTransports(options.transports);
  const pinning = options.pin ?? 'off';
  const progress = new Progress(process.stderr, options.progress ?? true);
  if (options.cpuProf) mkdirSync(options.cpuProf, { recursive: true });
  const ctx = new RunContext(profile, transports, progress, pinning, options.cpuProf && resolve(options.cpuProf));
  const machine = machineInfo(pinning);
  const startedAt = new Date();
  const t0 = performance.now();
  const familySeconds: Partial<Record<Family, number>> = {};
  const partial: Omit<BenchResults, 'targets' | 'finishedAt' | 'seconds'> = {
    schema: 'brine-bench/1',
    startedAt: startedAt.toISOString(),
    quick: profile.quick,
    families,
    transports,
    machine,
    timing: {
      warmupMs: profile.reqrep.warmupMs,
      measureMs: profile.reqrep.measureMs,
      authMs: profile.auth.measureMs,
    },
    reqrep: [],
    pubsub: [],
    auth: [],
    salt: { available: false, skipped: 'not selected', cells: [] },
    errors: ctx.errors,
    familySeconds,
  };
  try {
    // Wall time per family, so a slow run shows where its time went.
    const timed = async <T>(family: Family, run: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        return await run();
      } finally {
        familySeconds[family] = (performance.now() - start) / 1000;
      }
    };
    if (families.includes('reqrep')) partial.reqrep = await timed('reqrep', () => runReqRep(ctx));
    if (families.includes('pubsub')) partial.pubsub = await timed('pubsub', () => runPubSub(ctx));
    if (families.includes('auth')) partial.auth = await timed('auth', () => runAuth(ctx));
    if (families.includes('salt'))
      partial.salt = await timed('salt', () => runSalt(ctx, root, options.saltVenv, options.saltTransport));
  } finally {
    progress.finish();
    killAllChildren();
  }
  const done: Omit<BenchResults, 'targets'> = {
    ...partial,
    finishedAt: new Date().toISOString(),
    seconds: (performance.now() - t0) / 1000,
  };
  const results: BenchResults = { ...done, targets: checkTargets(done) };
  return { results, files: writeOutputs(results, options, root) };
}

/** A results file written by an earlier run (`--json`), checked for its schema. */
export function readResults(file: string): BenchResults {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(ErrorCodes.CONFIG, `cannot read bench results from ${file}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { schema?: unknown }).schema !== 'brine-bench/1') {
    throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `${file} is not a brine-bench/1 results file`);
  }
  return parsed as BenchResults;
}

function writeOutputs(results: BenchResults, options: BenchOptions, root: string): string[] {
  const files: string[] = [];
  const outDir = resolve(options.outDir ?? join(root, 'bench-results'));
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    files.push(file);
  };
  if (options.json !== false)
    write(resolve(options.json ?? join(outDir, 'latest.json')), JSON.stringify(results, null, 2) + '\n');
  if (options.html !== false) write(resolve(options.html ?? join(outDir, 'latest.html')), formatHtml(results));
  if (options.updateBenchmarksMd) {
    const file =
      typeof options.updateBenchmarksMd === 'string'
        ? resolve(options.updateBenchmarksMd)
        : join(root, 'BENCHMARKS.md');
    updateBenchmarksMd(file, results);
    files.push(file);
  }
  if (options.table !== false) {
    const stream = options.table ?? process.stdout;
    const columns = (stream as { columns?: number }).columns;
    stream.write(formatTable(results, columns || DEFAULT_COLUMNS));
  }
  return files;
}
