/**
 * The key store: Salt's PKI layout behind an interface, so the same auth code runs on a disk
 * (`FsKeyStore` in `@brine/core/node`) or in memory (`MemoryKeyStore`, browsers and tests).
 *
 * Master pki_dir: master.pem, master.pub, [master_sign.pem, master_sign.pub],
 *   minions/<id> (accepted), minions_pre/<id> (pending), minions_rejected/<id>, minions_denied/<id>.
 * Minion pki_dir: minion.pem, minion.pub, minion_master.pub (the pinned master key), [master_sign.pub].
 */

/** Where a minion's key sits on the master (the folder Salt uses for it). */
export type KeyState = 'accepted' | 'pending' | 'rejected' | 'denied';

export const KEY_STATE_DIRS: Readonly<Record<KeyState, string>> = {
  accepted: 'minions',
  pending: 'minions_pre',
  rejected: 'minions_rejected',
  denied: 'minions_denied',
};

/** A key pair in its text (PEM) form. */
export interface KeyPairText {
  privatePem: string;
  publicPem: string;
}

export interface KeyStore {
  /** A description for logs (the pki_dir path, or `memory`). */
  readonly location: string;

  /**
   * Reads `<name>.pem`/`<name>.pub` (`master`, `minion`, `master_sign`); when absent, calls
   * `generate` and writes them (private key mode 0400 as Salt writes it, never wider than 0600; atomically). `created` tells which happened.
   */
  ensureKeyPair(name: string, generate: () => Promise<KeyPairText>): Promise<KeyPairText & { created: boolean }>;
  /** Reads a top-level file of the pki dir (`minion_master.pub`, `master_sign.pub`, ...); undefined if absent. */
  readFile(name: string): Promise<string | undefined>;
  /** Writes a top-level file atomically (mode 0644 unless given). */
  writeFile(name: string, text: string, mode?: number): Promise<void>;
  removeFile(name: string): Promise<boolean>;

  /** The minion key stored under `state`, or undefined. `id` is validated first (ERR_INVALID_MINION_ID). */
  getMinionKey(state: KeyState, id: string): Promise<string | undefined>;
  putMinionKey(state: KeyState, id: string, pem: string): Promise<void>;
  /** Returns whether a key was there. */
  removeMinionKey(state: KeyState, id: string): Promise<boolean>;
  /** Moves a key between states atomically (rename); false when it was not in `from`. */
  moveMinionKey(id: string, from: KeyState, to: KeyState): Promise<boolean>;
  /** Ids in a state, sorted. */
  listMinionKeys(state: KeyState): Promise<string[]>;
  /** How many ids a state holds (optional: callers fall back to `listMinionKeys(state).length`). */
  countMinionKeys?(state: KeyState): Promise<number>;
}
