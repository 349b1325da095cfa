import { ConfigError, ErrorCodes, isBrineError } from '@brine/contracts';
import { MASTER_DEFAULTS, MINION_DEFAULTS } from '@brine/core';
import type { Role } from './load.js';

/** Options the CLI reads itself (beyond the daemons' own, which come from their defaults). */
const CLI_OPTIONS = [
  'root_dir',
  'log_file',
  'log_level_logfile',
  'default_include',
  'pidfile',
  'conf_file',
  'user',
  'log_fmt_console',
  'log_fmt_logfile',
  'metrics_port',
  'metrics_host',
] as const;

export function knownOptions(role: Role): ReadonlySet<string> {
  const defaults = role === 'master' ? MASTER_DEFAULTS : MINION_DEFAULTS;
  return new Set([...Object.keys(defaults), ...CLI_OPTIONS]);
}

/** Where each option came from: a file path, or "the command line". */
export type OptionSources = ReadonlyMap<string, string>;

/**
 * Options Brine does not use. A name one or two edits away from a known one is almost surely a
 * typo and becomes a warning with a suggestion; anything else is a Salt option Brine ignores (debug).
 */
export function unknownOptionNotes(
  options: Record<string, unknown>,
  role: Role,
  sources: OptionSources,
): { warnings: string[]; notes: string[] } {
  const known = knownOptions(role);
  const warnings: string[] = [];
  const notes: string[] = [];
  for (const name of Object.keys(options)) {
    if (known.has(name)) continue;
    const where = sources.get(name) ?? 'the config';
    const guess = closest(name, known);
    if (guess) warnings.push(`Unknown option '${name}' in ${where}: did you mean '${guess}'?`);
    else notes.push(`Option '${name}' in ${where} is not used by Brine`);
  }
  return { warnings, notes };
}

function closest(name: string, known: ReadonlySet<string>): string | undefined {
  const limit = Math.min(2, Math.floor(name.length / 4));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const d = editDistance(name, candidate, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance with transpositions counted as one edit, giving up above `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
    }
    [prev2, prev] = [prev, row];
  }
  return prev[b.length]!;
}

const PORTS = ['publish_port', 'ret_port', 'master_port', 'metrics_port'];
const NON_NEGATIVE = [
  'timeout',
  'auth_timeout',
  'acceptance_wait_time',
  'acceptance_wait_time_max',
  'recon_default',
  'recon_max',
  'loop_interval',
  'publish_drain_timeout',
  'request_channel_timeout',
  'return_retry_timer',
  'token_recheck_interval',
  'publish_session',
  'request_server_ttl',
  'pub_hwm',
  'max_minions',
  'max_message_size',
  'auth_tries',
  'auth_retries',
];

/** Ranges the type check cannot see; a failure is one line naming the option and where it was set. */
export function checkRanges(options: Record<string, unknown>, sources: OptionSources): void {
  for (const name of PORTS) {
    const v = options[name];
    if (typeof v !== 'number') continue; // the type check names a non-number
    if (!Number.isInteger(v) || v < 0 || v > 65535) {
      throw rangeError(name, 'an integer from 0 to 65535', v, sources);
    }
  }
  for (const name of NON_NEGATIVE) {
    const v = options[name];
    if (typeof v === 'number' && !(v >= 0 && Number.isFinite(v))) {
      throw rangeError(name, 'a number of at least 0', v, sources);
    }
  }
}

function rangeError(name: string, what: string, value: unknown, sources: OptionSources): ConfigError {
  return new ConfigError(
    ErrorCodes.CONFIG,
    `${name} must be ${what}, got ${JSON.stringify(value)} (in ${sources.get(name) ?? 'the config'})`,
    { details: { option: name, file: sources.get(name) } },
  );
}

/** Adds where the option was set to a ConfigError the core's type check raised. */
export function withSource(error: unknown, sources: OptionSources): unknown {
  if (!isBrineError(error) || error.code !== ErrorCodes.CONFIG) return error;
  const option = error.details?.option;
  if (typeof option !== 'string' || !sources.has(option) || error.details?.file !== undefined) return error;
  return new ConfigError(ErrorCodes.CONFIG, `${error.message} (in ${sources.get(option)})`, {
    cause: error,
    details: { ...error.details, file: sources.get(option) },
  });
}
