import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import {
  ErrorCodes,
  ConfigError,
  createLogger,
  formatRecord,
  LogLevels,
  type Logger,
  type LogLevel,
  type LogRecord,
} from '@brine/contracts';

/** Salt's level names (`-l all|garbage|trace|debug|profile|info|warning|error|critical|quiet`) on Brine's levels. */
const SALT_LEVELS: Readonly<Record<string, LogLevel>> = {
  all: 'trace',
  garbage: 'trace',
  trace: 'trace',
  debug: 'debug',
  profile: 'debug',
  info: 'info',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  critical: 'critical',
  quiet: 'quiet',
};

export const LOG_LEVEL_NAMES = Object.keys(SALT_LEVELS).filter((n) => n !== 'warn');

/** A Salt level name as Brine's; throws ConfigError naming `option` for anything else. */
export function toLogLevel(value: unknown, option = 'log_level'): LogLevel {
  const level = typeof value === 'string' ? SALT_LEVELS[value.toLowerCase()] : undefined;
  if (!level) {
    throw new ConfigError(
      ErrorCodes.CONFIG,
      `${option} must be one of ${LOG_LEVEL_NAMES.join(', ')}; got ${JSON.stringify(value)}`,
      {
        details: { option },
      },
    );
  }
  return level;
}

/**
 * How a sink writes records: Salt's text formats (the default), or one JSON object per line.
 * Salt's `log_fmt_console` / `log_fmt_logfile` are Python format strings; Brine reads the value
 * `json` as the JSON format and keeps Salt's default text format for anything else.
 */
export type LogFormat = 'text' | 'json';

/** `log_fmt_console` / `log_fmt_logfile` as a {@link LogFormat}: `json` (any case) or text. */
export function toLogFormat(value: unknown): LogFormat {
  return typeof value === 'string' && value.trim().toLowerCase() === 'json' ? 'json' : 'text';
}

export interface CliLoggerOptions {
  /** Console level (stderr, Salt's console format `[DEBUG   ] message`). */
  level: LogLevel;
  /** Also append to this file (Salt's log file format); none when undefined. */
  logFile?: string | undefined;
  /** Level for the file; defaults to `level` (Salt's `log_level_logfile`). */
  logFileLevel?: LogLevel | undefined;
  /** The console's format (`log_fmt_console: json`); default Salt's text. */
  consoleFormat?: LogFormat;
  /** The log file's format (`log_fmt_logfile: json`); default Salt's text. */
  fileFormat?: LogFormat;
  name?: string;
  /** Shown after the level on the console (`[DEBUG   ] [alpha] ...`), when several daemons share one process. */
  label?: string;
  stderr?: NodeJS.WritableStream;
}

export interface CliLogger {
  logger: Logger;
  /** Whether records at `level` reach the console (the CLI prints stacks only at debug). */
  console: LogLevel;
  /** Closes the log file and opens it again by name (after log rotation moved it); no-op without one. */
  reopen(): Promise<void>;
  /** Flushes and closes the log file. */
  close(): Promise<void>;
}

/** The CLI's logger: Salt's console format on stderr, plus `log_file` in Salt's file format. */
export function createCliLogger(options: CliLoggerOptions): CliLogger {
  const stderr = options.stderr ?? process.stderr;
  const consoleLevel = LogLevels[options.level];
  const fileLevel = LogLevels[options.logFileLevel ?? options.level];
  let file: WriteStream | undefined;
  const open = (path: string): WriteStream => {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    } catch {
      // createWriteStream reports the failure below
    }
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    stream.on('error', (error) => {
      stderr.write(`[WARNING ] Cannot write log file ${path}: ${error.message}\n`);
      if (file === stream) file = undefined;
    });
    return stream;
  };
  const end = (stream: WriteStream | undefined): Promise<void> =>
    new Promise((resolve) => (stream ? stream.end(() => resolve()) : resolve()));
  if (options.logFile) file = open(options.logFile);
  const label = options.label;
  const consoleLine =
    options.consoleFormat === 'json'
      ? (record: LogRecord) => formatJsonRecord(record, { label, stack: consoleLevel <= LogLevels.debug })
      : (record: LogRecord) => formatConsole(record, label);
  const fileLine =
    options.fileFormat === 'json'
      ? (record: LogRecord) => formatJsonRecord(record, { label, stack: fileLevel <= LogLevels.debug })
      : formatFileRecord;
  const sink = (record: LogRecord): void => {
    const n = LogLevels[record.level];
    if (n >= consoleLevel) stderr.write(`${consoleLine(record)}\n`);
    if (file && n >= fileLevel) file.write(`${fileLine(record)}\n`);
  };
  const logger = createLogger({
    level: minLevel(options.level, file ? (options.logFileLevel ?? options.level) : options.level),
    sink,
    name: options.name ?? 'brine',
  });
  return {
    logger,
    console: options.level,
    reopen: async () => {
      if (!options.logFile) return;
      const old = file;
      file = open(options.logFile);
      await end(old);
    },
    close: async () => {
      const f = file;
      file = undefined;
      await end(f);
    },
  };
}

function formatConsole(record: LogRecord, label: string | undefined): string {
  const line = formatRecord(record);
  return label ? line.replace(/^(\[[A-Z ]+\]) /, `$1 [${label}] `) : line;
}

function minLevel(a: LogLevel, b: LogLevel): LogLevel {
  return LogLevels[a] <= LogLevels[b] ? a : b;
}

/** Salt's `log_fmt_logfile`: `2019-10-01 10:21:13,123 [brine.master     ][DEBUG   ][1234] message`. */
export function formatFileRecord(record: LogRecord): string {
  const d = new Date(record.time);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
  const line = formatRecord(record).replace(/^\[[A-Z ]+\] /, '');
  return `${stamp} [${record.name.padEnd(17)}][${record.level.toUpperCase().padEnd(8)}][${process.pid}] ${line}`;
}

/**
 * One JSON object per line: `time` (ISO 8601, UTC), `level` (Salt's name), `name` (the logger),
 * `message`, `pid`, and, when there is one, `label` (the daemon, in `brine demo`) and `error` with
 * its `code`, `message`, `class`, `details` (and `stack` at debug).
 */
export function formatJsonRecord(
  record: LogRecord,
  options: { label?: string | undefined; stack?: boolean } = {},
): string {
  const out: Record<string, unknown> = {
    time: new Date(record.time).toISOString(),
    level: record.level,
    name: record.name,
    message: record.message,
    pid: process.pid,
  };
  if (options.label !== undefined) out.label = options.label;
  if (record.error !== undefined) out.error = errorFields(record.error, options.stack ?? false);
  try {
    return JSON.stringify(out);
  } catch {
    // details that do not serialize (a cycle, a BigInt): the line still goes out, without them.
    const error = out.error as Record<string, unknown> | undefined;
    if (error) delete error.details;
    return JSON.stringify(out, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
  }
}

function errorFields(error: unknown, withStack: boolean): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const e = error as Error & { code?: unknown; details?: unknown };
  const out: Record<string, unknown> = { class: e.name, message: e.message };
  if (typeof e.code === 'string') out.code = e.code;
  if (e.details !== undefined) out.details = e.details;
  if (withStack && e.stack) out.stack = e.stack;
  return out;
}
