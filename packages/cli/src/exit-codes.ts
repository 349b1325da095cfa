import { ErrorCodes, isBrineError } from '@brine/contracts';

/** The exit codes `brine` uses (Salt's where Salt has one). */
export const ExitCodes = {
  OK: 0,
  /** Something failed (Salt's EX_GENERIC); `brine run`: a minion did not return or returned non-zero. */
  GENERIC: 1,
  /** Bad usage, bad config, unknown transport; `brine run` when no minion matched (as `salt`). */
  USAGE: 2,
  /** The master rejected this minion's key (Salt's EX_NOPERM). */
  NOPERM: 77,
} as const;

export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

const USAGE_CODES = new Set<string>([ErrorCodes.CONFIG, ErrorCodes.INVALID_ARGUMENT, ErrorCodes.UNKNOWN_TRANSPORT]);
const NOPERM_CODES = new Set<string>([ErrorCodes.AUTH_REJECTED, ErrorCodes.AUTH_DENIED]);

/** The exit code for an error that ended a command. */
export function exitCodeOf(error: unknown): ExitCode {
  if (!isBrineError(error)) return ExitCodes.GENERIC;
  if (USAGE_CODES.has(error.code)) return ExitCodes.USAGE;
  if (NOPERM_CODES.has(error.code)) return ExitCodes.NOPERM;
  return ExitCodes.GENERIC;
}
