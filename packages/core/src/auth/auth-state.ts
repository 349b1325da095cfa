import type { BrineError } from '@brine/contracts';

/**
 * AsyncAuth's states:
 * - `idle`: never signed in.
 * - `signing-in`: an `_auth` request is in flight (first time).
 * - `pending`: the master holds our key in pending; waiting `acceptance_wait_time` to retry.
 * - `busy`: the master's sign-in queue was full; waiting the delay it hinted (jittered), then signing in again.
 * - `authenticated`: we hold the master's AES key (and v3 session key).
 * - `re-authenticating`: signing in again after a rotation or a master restart; old creds are kept until replaced.
 * - `rejected`: the master rejected or denied our key (terminal unless `rejected_retry`).
 * - `failed`: the last attempt failed (timeout, bad signature, changed master key); retrying with back-off.
 */
export type AuthStateName =
  'idle' | 'signing-in' | 'pending' | 'busy' | 'authenticated' | 're-authenticating' | 'rejected' | 'failed';

export interface AuthTransition {
  from: AuthStateName;
  to: AuthStateName;
  /** Why, for `failed` and `rejected`. */
  error?: BrineError;
  /** Seconds until the next attempt, for `pending`, `busy` and `failed`. */
  retryIn?: number;
}
