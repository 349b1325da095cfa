import { ErrorCodes } from '@brine/contracts';
import { KeyStoreError } from './errors.js';
import { KEY_STATE_DIRS, type KeyState } from './types.js';

export const KEY_STATES: readonly KeyState[] = ['accepted', 'pending', 'rejected', 'denied'];

export function isKeyState(value: unknown): value is KeyState {
  return typeof value === 'string' && Object.hasOwn(KEY_STATE_DIRS, value);
}

/** The pki_dir folder for `state`; throws KeyStoreError for anything else (never `undefined` in a path). */
export function keyStateDir(state: unknown): string {
  if (isKeyState(state)) return KEY_STATE_DIRS[state];
  throw new KeyStoreError(ErrorCodes.KEY_STORE, 'Unknown key state', {
    details: { state: String(state).slice(0, 32) },
  });
}
