import type { BrineError, Logger } from '@brine/contracts';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';

/**
 * Writes at most `perMinute` lines per `kind` per minute (Brine option `log_rate_limit`, default
 * 10); the lines held back are counted and reported on the next line that gets through, so a
 * flood of refused requests costs a bounded amount of log. Kinds are a small fixed set chosen by
 * the caller (an error code, say), never peer input, so the table stays small.
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, { start: number; count: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly perMinute = 10,
    private readonly now: () => number = Date.now,
  ) {}

  log(level: LogLevel, kind: string, message: string, error?: BrineError): boolean {
    if (this.perMinute <= 0) {
      this.logger[level](message, error);
      return true;
    }
    const t = this.now();
    let w = this.windows.get(kind);
    if (!w || t - w.start >= 60_000) {
      const suppressed = w?.suppressed ?? 0;
      w = { start: t, count: 0, suppressed: 0 };
      this.windows.set(kind, w);
      if (suppressed > 0) message = `${message} (${suppressed} similar ${kind} lines suppressed in the last minute)`;
    }
    if (w.count >= this.perMinute) {
      w.suppressed++;
      return false;
    }
    w.count++;
    this.logger[level](message, error);
    return true;
  }

  warning(kind: string, message: string, error?: BrineError): boolean {
    return this.log('warning', kind, message, error);
  }
}
