import { ErrorCodes } from '@brine/contracts';
import { KeyStoreError } from './errors.js';
import { KEY_STATE_DIRS } from './types.js';

// Top-level pki_dir names come from code (`master.pem`, `minion_master.pub`), so a narrow
// charset is enough; it also keeps them apart from the stores' temp files (leading '.').
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const RESERVED = new Set<string>(Object.values(KEY_STATE_DIRS));

/** Returns `name` when it is a usable top-level pki_dir file name; throws KeyStoreError otherwise. */
export function validateKeyFileName(name: unknown): string {
  if (typeof name === 'string' && FILE_NAME.test(name) && !RESERVED.has(name)) return name;
  throw new KeyStoreError(ErrorCodes.KEY_STORE, 'Invalid key file name', {
    details: { name: typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : typeof name },
  });
}
