import { ConfigError, ErrorCodes } from '@brine/contracts';
import type { Pinning } from './context.js';
import { FAMILIES, TRANSPORTS, type Family, type TransportName } from './results.js';

export interface BenchOptions {
  /** Fewer sizes and shorter cells: the whole run in under a minute. */
  quick?: boolean;
  /** Families to run (default all: reqrep, pubsub, auth, salt). */
  only?: Family[];
  /** Transports to run (default zeromq, tcp, ws). */
  transports?: TransportName[];
  /** Where to write the JSON results; false = not written. Default `<outDir>/latest.json`. */
  json?: string | false;
  /** Where to write the HTML page; false = not written. Default `<outDir>/latest.html`. */
  html?: string | false;
  /** Default output folder (default `bench-results` in the repository root, or the cwd). */
  outDir?: string;
  /** Rewrite the results section of this BENCHMARKS.md (true = the repository's). */
  updateBenchmarksMd?: string | boolean;
  /** Print the terminal table to this stream (default stdout; false = do not print). */
  table?: NodeJS.WritableStream | false;
  /** Progress on stderr (default true). */
  progress?: boolean;
  /** taskset pinning of the bench processes (default off). */
  pin?: Pinning;
  /** Start every bench process with --cpu-prof, writing profiles to this folder. */
  cpuProf?: string;
  /** Transport for the Salt comparison (default zeromq when selected, else the first transport). */
  saltTransport?: TransportName;
  /** Render the outputs from a saved JSON results file instead of running anything. */
  from?: string;
  /** A Salt venv to use instead of looking in .venv/salt-3008 and /tmp/saltvenv/v3008. */
  saltVenv?: string;
}

export function parseList<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `unknown ${what} '${item}' (expected ${allowed.join(', ')})`);
    }
  }
  if (items.length === 0) throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `no ${what} given`);
  return [...new Set(items)] as T[];
}

/** Transports in a fixed order (zeromq, tcp, ws), whatever order they were asked in. */
export function orderedTransports(list: readonly TransportName[] | undefined): TransportName[] {
  const wanted = list ?? TRANSPORTS;
  return TRANSPORTS.filter((t) => wanted.includes(t));
}

export function orderedFamilies(list: readonly Family[] | undefined): Family[] {
  const wanted = list ?? FAMILIES;
  return FAMILIES.filter((f) => wanted.includes(f));
}
