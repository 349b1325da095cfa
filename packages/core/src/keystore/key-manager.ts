import { ErrorCodes, toBrineError, type BrineError, type CryptoSuite } from '@brine/contracts';
import { globToRegExp } from './glob.js';
import { pemFinger, type PemFingerOptions } from './pem-finger.js';
import { KEY_STATES } from './state.js';
import type { KeyState, KeyStore } from './types.js';

export type KeyList = Record<KeyState, string[]>;
export type KeyFingers = Partial<Record<KeyState | 'local', Record<string, string>>>;
export type KeyAction = 'accept' | 'reject' | 'delete';

/** One key that changed: where it was and where it went (`to` is absent for a delete). */
export interface KeyMove {
  id: string;
  from: KeyState;
  to?: KeyState;
}

export interface KeyChange {
  action: KeyAction;
  /** Ids whose key changed, sorted, each once. */
  ids: string[];
  moves: KeyMove[];
  /**
   * The master must rotate its AES key and drop these minions' sessions and caches
   * (CVE-2016-9639). True for every reject and delete (as `salt-key` with `rotate_aes_key`),
   * and for an accept that replaced an accepted key.
   */
  rotate: boolean;
}

export interface KeyManagerOptions {
  /** Called once per operation that changed something, before it returns; a rejection propagates. */
  onChange?: (change: KeyChange) => void | Promise<void>;
  /** Digest and form for `finger` (Salt's `hash_type`, default sha256). */
  finger?: PemFingerOptions;
  /**
   * Whether a stored key may be accepted (Salt parses it and skips keys that do not load).
   * Default: the text is a PEM `PUBLIC KEY` block. Pass the suite's import for a strict check.
   */
  isAcceptableKey?: (pem: string) => boolean;
  /** Top-level public keys that `finger('local')` reports. */
  localKeys?: readonly string[];
  /**
   * A key file that cannot be read (oversized, not a regular file, unreadable) during a bulk
   * operation: reported here and skipped; the operation goes on with the other keys.
   */
  onSkip?: (skip: { state: KeyState; id: string; error: BrineError }) => void;
}

export interface AcceptOptions {
  includeRejected?: boolean;
  includeDenied?: boolean;
}

export interface RejectOptions {
  includeAccepted?: boolean;
  includeDenied?: boolean;
}

/** A key check for `isAcceptableKey`: the key loads in `suite` (Salt skips keys that do not load). */
export function loadableIn(suite: Pick<CryptoSuite, 'importPublicKey'>): (pem: string) => boolean {
  return (pem) => {
    try {
      suite.importPublicKey(pem);
      return true;
    } catch {
      return false;
    }
  };
}

const PEM_PUBLIC = /^-----BEGIN ([A-Z0-9 ]*)PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1PUBLIC KEY-----$/;
// accepted, pending and rejected hold at most one key per id (Salt 3008's key cache); denied is apart.
const EXCLUSIVE: readonly KeyState[] = ['accepted', 'pending', 'rejected'];

/** What `salt-key` does, on any KeyStore. Patterns are fnmatch globs, comma-separated like salt-key's. */
export class KeyManager {
  private readonly isAcceptableKey: (pem: string) => boolean;

  constructor(
    private readonly store: KeyStore,
    private readonly crypto: Pick<CryptoSuite, 'digest'>,
    private readonly options: KeyManagerOptions = {},
  ) {
    this.isAcceptableKey = options.isAcceptableKey ?? ((pem) => PEM_PUBLIC.test(pem.trim()));
  }

  async list(): Promise<KeyList> {
    const lists = await Promise.all(KEY_STATES.map((state) => this.store.listMinionKeys(state)));
    return Object.fromEntries(KEY_STATES.map((state, i) => [state, sortIgnoreCase(lists[i]!)])) as KeyList;
  }

  /** The ids matching `pattern`, by state. */
  async match(pattern: string): Promise<KeyList> {
    const matchers = pattern.split(',').map((item) => {
      const glob = globToRegExp(item);
      return (id: string): boolean => id === item || glob.test(id);
    });
    const all = await this.list();
    const hit = (id: string): boolean => matchers.some((matches) => matches(id));
    return Object.fromEntries(KEY_STATES.map((state) => [state, all[state].filter(hit)])) as KeyList;
  }

  /** Accepts pending keys (and rejected/denied ones when asked); returns the ids accepted. */
  accept(pattern: string, options: AcceptOptions = {}): Promise<string[]> {
    const from: KeyState[] = ['pending'];
    if (options.includeRejected) from.push('rejected');
    if (options.includeDenied) from.push('denied');
    return this.changeState('accept', pattern, from, 'accepted');
  }

  /** Rejects pending keys (and accepted/denied ones when asked); returns the ids rejected. */
  reject(pattern: string, options: RejectOptions = {}): Promise<string[]> {
    const from: KeyState[] = ['pending'];
    if (options.includeAccepted) from.push('accepted');
    if (options.includeDenied) from.push('denied');
    return this.changeState('reject', pattern, from, 'rejected');
  }

  /** Deletes matching keys in every state; returns the ids deleted. */
  async delete(pattern: string): Promise<string[]> {
    const matches = await this.match(pattern);
    const moves: KeyMove[] = [];
    for (const state of KEY_STATES) {
      for (const id of matches[state]) {
        if (await this.store.removeMinionKey(state, id)) moves.push({ id, from: state });
      }
    }
    return this.report('delete', moves, true);
  }

  /** `salt-key -f`: fingerprints of the matching minion keys, or of the master's keys for `local`. */
  async finger(pattern: string): Promise<KeyFingers> {
    const out: KeyFingers = {};
    if (pattern === 'local') {
      for (const name of this.options.localKeys ?? ['master.pub', 'master_sign.pub']) {
        const pem = await this.store.readFile(name);
        if (pem !== undefined) (out.local ??= {})[name] = this.fingerprint(pem);
      }
      return out;
    }
    const matches = await this.match(pattern);
    for (const state of KEY_STATES) {
      for (const id of matches[state]) {
        const pem = await this.readKey(state, id);
        if (pem !== undefined) (out[state] ??= {})[id] = this.fingerprint(pem);
      }
    }
    return out;
  }

  /** One key's text, or undefined (reported through `onSkip`) when it cannot be read. */
  async readKey(state: KeyState, id: string): Promise<string | undefined> {
    try {
      return await this.store.getMinionKey(state, id);
    } catch (error) {
      this.options.onSkip?.({ state, id, error: toBrineError(error, ErrorCodes.KEY_STORE) });
      return undefined;
    }
  }

  /** Salt's `pem_finger` of a key text, with this manager's digest and form. */
  fingerprint(pem: string): string {
    return pemFinger(pem, this.crypto, this.options.finger);
  }

  private async changeState(action: KeyAction, pattern: string, from: KeyState[], to: KeyState): Promise<string[]> {
    const matches = await this.match(pattern);
    const moves: KeyMove[] = [];
    let rotate = action !== 'accept';
    for (const state of from) {
      for (const id of matches[state]) {
        const pem = await this.readKey(state, id);
        if (pem === undefined) continue;
        if (to === 'accepted' && !this.isAcceptableKey(pem)) continue;
        const replaced = to === 'accepted' && (await this.store.getMinionKey('accepted', id)) !== undefined;
        if (!(await this.store.moveMinionKey(id, state, to))) continue;
        for (const other of EXCLUSIVE) {
          if (other !== to) await this.store.removeMinionKey(other, id);
        }
        rotate ||= replaced;
        moves.push({ id, from: state, to });
      }
    }
    return this.report(action, moves, rotate);
  }

  private async report(action: KeyAction, moves: KeyMove[], rotate: boolean): Promise<string[]> {
    const ids = [...new Set(moves.map((m) => m.id))].sort();
    if (ids.length > 0) await this.options.onChange?.({ action, ids, moves, rotate });
    return ids;
  }
}

/** Salt's `sorted_ignorecase`. */
function sortIgnoreCase(ids: string[]): string[] {
  return [...ids].sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
