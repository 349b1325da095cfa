import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, ErrorCodes } from '@brine/contracts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Options every daemon-facing command takes (`brine key` has no `-l`: there it lists keys, as in salt-key). */
export const CONFIG_OPTIONS = {
  'config-dir': { type: 'string', short: 'c' },
  config: { type: 'string' },
  'log-level': { type: 'string' },
  'log-file': { type: 'string' },
  'log-file-level': { type: 'string' },
  'log-fmt-console': { type: 'string' },
  'log-fmt-logfile': { type: 'string' },
  'pki-dir': { type: 'string' },
  cachedir: { type: 'string' },
  'sock-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export interface Parsed<O extends OptionSpecs> {
  values: { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string };
  positionals: string[];
}

/**
 * `node:util` parseArgs, strict, with its errors turned into ERR_INVALID_ARGUMENT for exit code 2.
 * A leading `--` is dropped: `pnpm demo -- --transport tcp` hands the script `demo -- --transport tcp`.
 */
export function parseCommandArgs<O extends OptionSpecs>(command: string, argv: string[], options: O): Parsed<O> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: values as Parsed<O>['values'], positionals };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.split('. To specify')[0];
    throw usageError(`${message} (see 'brine ${command} --help')`);
  }
}

export function usageError(message: string): ConfigError {
  return new ConfigError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** A non-negative integer option (`--minions 3`, `--publish-port 0`). */
export function intOption(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw usageError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return Number(value);
}

/** A positive number of seconds (`-t 5`, `--timeout 0.5`). */
export function secondsOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw usageError(`--${name} must be a positive number of seconds, got '${value}'`);
  return n;
}

/** Checks a value against a fixed list. */
export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError(`--${name} must be one of ${allowed.join(', ')}; got '${value}'`);
  }
  return value as T;
}
