import { missingPublicKey } from './errors.js';
import { validateKeyFileName } from './file-name.js';
import { validateMinionId } from './minion-id.js';
import { keyStateDir } from './state.js';
import type { KeyPairText, KeyState, KeyStore } from './types.js';

/**
 * A KeyStore held in memory, for browsers and tests. Same validation and semantics as
 * `FsKeyStore`; file modes are not kept.
 */
export class MemoryKeyStore implements KeyStore {
  readonly location = 'memory';
  private readonly files = new Map<string, string>();
  private readonly minions = new Map<string, Map<string, string>>();

  async ensureKeyPair(name: string, generate: () => Promise<KeyPairText>): Promise<KeyPairText & { created: boolean }> {
    const base = validateKeyFileName(name);
    const privatePem = this.files.get(`${base}.pem`);
    if (privatePem !== undefined) {
      const publicPem = this.files.get(`${base}.pub`);
      if (publicPem === undefined) throw missingPublicKey(base, this.location);
      return { privatePem, publicPem, created: false };
    }
    const pair = await generate();
    // The public half first: a pair cut short then regenerates instead of stranding a .pem.
    this.files.set(`${base}.pub`, pair.publicPem);
    this.files.set(`${base}.pem`, pair.privatePem);
    return { privatePem: pair.privatePem, publicPem: pair.publicPem, created: true };
  }

  async readFile(name: string): Promise<string | undefined> {
    return this.files.get(validateKeyFileName(name));
  }

  async writeFile(name: string, text: string): Promise<void> {
    this.files.set(validateKeyFileName(name), text);
  }

  async removeFile(name: string): Promise<boolean> {
    return this.files.delete(validateKeyFileName(name));
  }

  async getMinionKey(state: KeyState, id: string): Promise<string | undefined> {
    return this.bucket(state).get(validateMinionId(id));
  }

  async putMinionKey(state: KeyState, id: string, pem: string): Promise<void> {
    this.bucket(state).set(validateMinionId(id), pem);
  }

  async removeMinionKey(state: KeyState, id: string): Promise<boolean> {
    return this.bucket(state).delete(validateMinionId(id));
  }

  async moveMinionKey(id: string, from: KeyState, to: KeyState): Promise<boolean> {
    validateMinionId(id);
    const source = this.bucket(from);
    const target = this.bucket(to);
    const pem = source.get(id);
    if (pem === undefined) return false;
    source.delete(id);
    target.set(id, pem);
    return true;
  }

  async listMinionKeys(state: KeyState): Promise<string[]> {
    return [...this.bucket(state).keys()].sort();
  }

  async countMinionKeys(state: KeyState): Promise<number> {
    return this.bucket(state).size;
  }

  private bucket(state: KeyState): Map<string, string> {
    const dir = keyStateDir(state);
    let map = this.minions.get(dir);
    if (!map) {
      map = new Map();
      this.minions.set(dir, map);
    }
    return map;
  }
}
