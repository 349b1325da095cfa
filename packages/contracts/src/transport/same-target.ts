import { StateError, ErrorCodes } from '../errors/index.js';

/**
 * A client connects to one place for its whole life (its reconnect loop keeps that target). A
 * second `connect` to the same target is fine; to another one is ERR_INVALID_STATE.
 */
export function assertSameTarget(current: string | undefined, next: string): void {
  if (current !== undefined && current !== next) {
    throw new StateError(
      ErrorCodes.INVALID_STATE,
      `already connecting to ${current}; create a new client for ${next}`,
      { details: { current, next } },
    );
  }
}
