/**
 * The one failure the targeting functions raise: a target Salt itself would reject with an
 * exception (an invalid regular expression, an unknown nodegroup at the CLI), a regular
 * expression feature this translation does not carry over to JavaScript, or input over the
 * hostile-input bounds in `limits.ts`.
 *
 * Local to this module on purpose (the module imports nothing from the rest of Brine); it is
 * meant to be rebased on the shared error base later, keeping `code` and `reason`.
 */
export type TargetErrorReason =
  /** Salt raises on this input (e.g. `re.error` for an `E@` regex, an unknown nodegroup). */
  | 'invalid'
  /** Valid for Python's `re`, but not translated to JavaScript (e.g. `(?>...)`, `(?i:...)`). */
  | 'unsupported'
  /** Over one of the bounds in `limits.ts`. */
  | 'too-large';

export class TargetError extends Error {
  readonly code = 'ERR_INVALID_ARGUMENT';
  readonly reason: TargetErrorReason;

  constructor(message: string, reason: TargetErrorReason = 'invalid') {
    super(message);
    this.name = 'TargetError';
    this.reason = reason;
  }
}
