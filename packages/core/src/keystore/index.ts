export { KEY_STATE_DIRS } from './types.js';
export type { KeyPairText, KeyState, KeyStore } from './types.js';
export { KeyStoreError } from './errors.js';
export { MAX_MINION_ID_BYTES, isValidMinionId, minionIdProblem, validateMinionId } from './minion-id.js';
export type { InvalidMinionIdReason } from './minion-id.js';
export { validateKeyFileName } from './file-name.js';
export { KEY_STATES, isKeyState, keyStateDir } from './state.js';
export { MemoryKeyStore } from './memory.js';
export { cleanKey } from './clean-key.js';
export { fnmatch, globToRegExp } from './glob.js';
export { pemFinger } from './pem-finger.js';
export type { PemFingerOptions } from './pem-finger.js';
export { KeyManager, loadableIn } from './key-manager.js';
export type {
  AcceptOptions,
  KeyAction,
  KeyChange,
  KeyFingers,
  KeyList,
  KeyManagerOptions,
  KeyMove,
  RejectOptions,
} from './key-manager.js';
