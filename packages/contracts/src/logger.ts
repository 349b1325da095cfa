/**
 * Minimal structured logger with Salt's level names and console format
 * (`[DEBUG   ] message`), so Brine's debug output reads like a salt-minion's.
 */

export const LogLevels = {
  trace: 5,
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
  critical: 50,
  quiet: 1000,
} as const;

export type LogLevel = keyof typeof LogLevels;

export interface LogRecord {
  level: Exclude<LogLevel, 'quiet'>;
  name: string;
  message: string;
  time: number;
  error?: unknown;
}

export interface Logger {
  readonly name: string;
  isEnabled(level: LogLevel): boolean;
  trace(message: string, error?: unknown): void;
  debug(message: string, error?: unknown): void;
  info(message: string, error?: unknown): void;
  warning(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
  critical(message: string, error?: unknown): void;
  /** A logger for a sub-component (`brine.transport.tcp`) sharing this one's sink and level. */
  child(name: string): Logger;
}

export type LogSink = (record: LogRecord) => void;

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LogLevels, value);
}

/** Salt's console format: `[LEVEL   ] message`; the error's code and message are appended. */
export function formatRecord(record: LogRecord): string {
  const tag = `[${record.level.toUpperCase().padEnd(8)}]`;
  let line = `${tag} ${record.message}`;
  if (record.error !== undefined) {
    const err = record.error as { code?: unknown; message?: unknown };
    const code = typeof err?.code === 'string' ? `${err.code}: ` : '';
    const msg = typeof err?.message === 'string' ? err.message : String(record.error);
    line += ` (${code}${msg})`;
  }
  return line;
}

const consoleSink: LogSink = (record) => {
  console.error(formatRecord(record));
};

interface LoggerState {
  level: number;
  sink: LogSink;
}

class SinkLogger implements Logger {
  constructor(
    readonly name: string,
    private readonly state: LoggerState,
  ) {}

  isEnabled(level: LogLevel): boolean {
    return LogLevels[level] >= this.state.level;
  }

  private log(level: Exclude<LogLevel, 'quiet'>, message: string, error?: unknown): void {
    if (LogLevels[level] < this.state.level) return;
    const record: LogRecord = { level, name: this.name, message, time: Date.now() };
    if (error !== undefined) record.error = error;
    this.state.sink(record);
  }

  trace(message: string, error?: unknown): void {
    this.log('trace', message, error);
  }
  debug(message: string, error?: unknown): void {
    this.log('debug', message, error);
  }
  info(message: string, error?: unknown): void {
    this.log('info', message, error);
  }
  warning(message: string, error?: unknown): void {
    this.log('warning', message, error);
  }
  error(message: string, error?: unknown): void {
    this.log('error', message, error);
  }
  critical(message: string, error?: unknown): void {
    this.log('critical', message, error);
  }
  child(name: string): Logger {
    return new SinkLogger(`${this.name}.${name}`, this.state);
  }
}

export interface CreateLoggerOptions {
  /** Lowest level written; Salt's default is `warning`. */
  level?: LogLevel;
  /** Where records go; defaults to stderr in Salt's console format. */
  sink?: LogSink;
  name?: string;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return new SinkLogger(options.name ?? 'brine', {
    level: LogLevels[options.level ?? 'warning'],
    sink: options.sink ?? consoleSink,
  });
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ level: 'quiet', sink: () => {} });

/** Collects records in memory; for tests and for embedding apps that forward logs. */
export function createMemoryLogger(level: LogLevel = 'trace'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { logger: createLogger({ level, sink: (r) => records.push(r) }), records };
}
