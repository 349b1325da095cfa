import { RateLimitedLog, type BrineError, type Logger } from '@brine/contracts';

/**
 * The master's "Refused a request" line for every error its servers report, rate-limited per
 * error code (one line per code per `intervalMs`, the next one says how many were left out): a peer
 * flooding refused requests must not turn into a flood of log lines (issue 10, class 9).
 */
export function refusalLogger(logger: Logger, intervalMs = 10_000): (error: BrineError) => void {
  const limited = new RateLimitedLog(logger, intervalMs);
  return (error) => limited.warning(error.code, `Refused a request: ${error.message}`, error);
}
