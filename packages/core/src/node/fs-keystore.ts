import { ErrorCodes } from '@brine/contracts';
import { promises as fs } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { KeyStoreError, missingPublicKey } from '../keystore/errors.js';
import { validateKeyFileName } from '../keystore/file-name.js';
import { isValidMinionId, validateMinionId } from '../keystore/minion-id.js';
import { keyStateDir } from '../keystore/state.js';
import type { KeyPairText, KeyState, KeyStore } from '../keystore/types.js';
import {
  TEMP_PREFIX,
  assertDir,
  assertRegularOrAbsent,
  ensureDir,
  errnoCode,
  fsError,
  readRegularFile,
  retryOnFdExhaustion,
  refused,
  syncDir,
  unlinkRegular,
  writeFileAtomic,
} from './safe-fs.js';

export interface FsKeyStoreOptions {
  /**
   * Mode of `*.pem` private keys. Default 0o400, what Salt writes (`gen_keys`, the localfs_key
   * cache); either way no more than 0600. Rewrites go through rename, so 0400 never blocks them.
   */
  privateKeyMode?: number;
  /** Mode of public keys and other files. Default 0o644. */
  publicKeyMode?: number;
  /** Mode of pki_dir and the minion key folders when created. Default 0o700. */
  dirMode?: number;
}

/**
 * Salt's pki_dir layout on disk (see `KeyStore`). Every id is validated before any path is built,
 * every path is checked to sit directly in its folder, and only regular files are read, listed,
 * moved or removed: a symlink or FIFO named like a key is refused with `ERR_KEY_STORE`.
 */
export class FsKeyStore implements KeyStore {
  readonly location: string;
  private readonly privateKeyMode: number;
  private readonly publicKeyMode: number;
  private readonly dirMode: number;
  private root: Promise<string> | undefined;

  constructor(pkiDir: string, options: FsKeyStoreOptions = {}) {
    this.location = resolve(pkiDir);
    this.privateKeyMode = options.privateKeyMode ?? 0o400;
    this.publicKeyMode = options.publicKeyMode ?? 0o644;
    this.dirMode = options.dirMode ?? 0o700;
    if ((this.privateKeyMode & 0o177) !== 0) {
      throw new KeyStoreError(ErrorCodes.KEY_STORE, 'privateKeyMode must not exceed 0600', {
        details: { mode: this.privateKeyMode },
      });
    }
  }

  async ensureKeyPair(name: string, generate: () => Promise<KeyPairText>): Promise<KeyPairText & { created: boolean }> {
    const base = validateKeyFileName(name);
    const privatePath = await this.topPath(`${base}.pem`);
    const publicPath = await this.topPath(`${base}.pub`);
    const privatePem = (await readRegularFile(privatePath))?.text;
    if (privatePem !== undefined) {
      const publicPem = (await readRegularFile(publicPath))?.text;
      if (publicPem === undefined) throw missingPublicKey(base, this.location);
      return { privatePem, publicPem, created: false };
    }
    const pair = await generate();
    // The public half first: a pair cut short then regenerates instead of stranding a .pem.
    await writeFileAtomic(publicPath, pair.publicPem, this.publicKeyMode);
    await writeFileAtomic(privatePath, pair.privatePem, this.privateKeyMode);
    return { privatePem: pair.privatePem, publicPem: pair.publicPem, created: true };
  }

  async readFile(name: string): Promise<string | undefined> {
    return (await readRegularFile(await this.topPath(name)))?.text;
  }

  async writeFile(name: string, text: string, mode?: number): Promise<void> {
    await writeFileAtomic(await this.topPath(name), text, mode ?? this.publicKeyMode);
  }

  async removeFile(name: string): Promise<boolean> {
    return unlinkRegular(await this.topPath(name));
  }

  async getMinionKey(state: KeyState, id: string): Promise<string | undefined> {
    const path = await this.minionPath(state, id, false);
    return path === undefined ? undefined : (await readRegularFile(path))?.text;
  }

  async putMinionKey(state: KeyState, id: string, pem: string): Promise<void> {
    if (validateMinionId(id).startsWith(TEMP_PREFIX)) throw refused(id, 'reserved name');
    const path = (await this.minionPath(state, id, true))!;
    await writeFileAtomic(path, pem, this.publicKeyMode);
  }

  async removeMinionKey(state: KeyState, id: string): Promise<boolean> {
    const path = await this.minionPath(state, id, false);
    return path === undefined ? false : unlinkRegular(path);
  }

  async moveMinionKey(id: string, from: KeyState, to: KeyState): Promise<boolean> {
    const source = await this.minionPath(from, id, false);
    if (source === undefined || !(await assertRegularOrAbsent(source))) return false;
    const target = (await this.minionPath(to, id, true))!;
    if (source === target) return true;
    await assertRegularOrAbsent(target);
    try {
      await fs.rename(source, target);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return false;
      throw fsError('rename', source, error);
    }
    await syncDir(dirname(target));
    await syncDir(dirname(source));
    return true;
  }

  async listMinionKeys(state: KeyState): Promise<string[]> {
    const dir = await this.stateDir(state, false);
    if (dir === undefined) return [];
    let entries;
    try {
      entries = await retryOnFdExhaustion(() => fs.readdir(dir, { withFileTypes: true }));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw fsError('readdir', dir, error);
    }
    return entries
      .filter((e) => e.isFile() && isValidMinionId(e.name) && !e.name.startsWith(TEMP_PREFIX))
      .map((e) => e.name)
      .sort();
  }

  /** pki_dir, created (mode `dirMode`) on first use and resolved once, so a symlinked pki_dir works. */
  private pkiDir(): Promise<string> {
    this.root ??= (async () => {
      try {
        await fs.mkdir(this.location, { recursive: true, mode: this.dirMode });
        return await fs.realpath(this.location);
      } catch (error) {
        throw fsError('open pki_dir', this.location, error);
      }
    })().catch((error: unknown) => {
      this.root = undefined;
      throw error;
    });
    return this.root;
  }

  private async topPath(name: string): Promise<string> {
    return contained(await this.pkiDir(), validateKeyFileName(name));
  }

  private async stateDir(state: KeyState, create: boolean): Promise<string | undefined> {
    const dir = contained(await this.pkiDir(), keyStateDir(state));
    if (create) await ensureDir(dir, this.dirMode);
    else if (!(await assertDir(dir))) return undefined;
    return dir;
  }

  /** The key file's path (validated id, contained); undefined when its folder is absent and `create` is off. */
  private async minionPath(state: KeyState, id: string, create: boolean): Promise<string | undefined> {
    validateMinionId(id);
    const dir = await this.stateDir(state, create);
    return dir === undefined ? undefined : contained(dir, id);
  }
}

/** `dir/name`, checked to resolve to an entry directly inside `dir`. */
function contained(dir: string, name: string): string {
  const path = resolve(dir, name);
  if (dirname(path) !== dir || basename(path) !== name) throw refused(path, `outside ${dir}`);
  return path;
}
