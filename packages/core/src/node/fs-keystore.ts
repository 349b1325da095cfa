import { ErrorCodes } from '@brine/contracts';
import { promises as fs } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { KeyStoreError, missingPublicKey } from '../keystore/errors.js';
import { validateKeyFileName } from '../keystore/file-name.js';
import { isValidMinionId, validateMinionId } from '../keystore/minion-id.js';
import { keyStateDir } from '../keystore/state.js';
import { KEY_STATE_DIRS, type KeyPairText, type KeyState, type KeyStore } from '../keystore/types.js';
import { FsKeyIndex, type KeyIndexOptions } from './fs-key-index.js';
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
  /**
   * The in-memory index of minion keys (`FsKeyIndex`: one readdir per state, fs.watch, generation
   * stamps, re-validated misses). Default on; `false` scans the folder on every listing and reads
   * the file on every lookup, as before.
   */
  index?: KeyIndexOptions | false;
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
  private readonly indexOptions: KeyIndexOptions | false;
  private index: Promise<FsKeyIndex> | undefined;
  private closed = false;

  constructor(pkiDir: string, options: FsKeyStoreOptions = {}) {
    this.location = resolve(pkiDir);
    this.indexOptions = options.index ?? {};
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

  /**
   * With the index: a hit on a watched folder is served from memory (no file-system call); an
   * indexed id whose text is not cached, or a miss, reads the file (one `open` on a watched
   * folder), so a key another process wrote a moment ago is found and indexed.
   */
  async getMinionKey(state: KeyState, id: string): Promise<string | undefined> {
    validateMinionId(id);
    keyStateDir(state);
    const index = await this.keyIndex();
    if (index === undefined) {
      const path = await this.minionPath(state, id, false);
      return path === undefined ? undefined : (await readRegularFile(path))?.text;
    }
    const hit = await index.lookup(state, id);
    if (hit?.pem !== undefined) return hit.pem;
    const epoch = index.epoch(state);
    // A watched folder was checked when its watch started; otherwise check it again (no symlink).
    const path = index.watched(state)
      ? contained(contained(await this.pkiDir(), keyStateDir(state)), id)
      : await this.minionPath(state, id, false);
    const text = path === undefined ? undefined : (await readRegularFile(path))?.text;
    index.noteRead(state, id, text, epoch);
    return text;
  }

  async putMinionKey(state: KeyState, id: string, pem: string): Promise<void> {
    if (validateMinionId(id).startsWith(TEMP_PREFIX)) throw refused(id, 'reserved name');
    const path = (await this.minionPath(state, id, true))!;
    await writeFileAtomic(path, pem, this.publicKeyMode);
    (await this.keyIndex())?.noteWrite(state, id, pem);
  }

  async removeMinionKey(state: KeyState, id: string): Promise<boolean> {
    const path = await this.minionPath(state, id, false);
    const removed = path === undefined ? false : await unlinkRegular(path);
    (await this.keyIndex())?.noteRemove(state, id);
    return removed;
  }

  async moveMinionKey(id: string, from: KeyState, to: KeyState): Promise<boolean> {
    const source = await this.minionPath(from, id, false);
    if (source === undefined || !(await assertRegularOrAbsent(source))) return false;
    const target = (await this.minionPath(to, id, true))!;
    if (source === target) return true;
    await assertRegularOrAbsent(target);
    const index = await this.keyIndex();
    try {
      await fs.rename(source, target);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        index?.noteRemove(from, id);
        return false;
      }
      throw fsError('rename', source, error);
    }
    const pem = index?.cached(from, id);
    index?.noteRemove(from, id);
    index?.noteWrite(to, id, pem);
    await syncDir(dirname(target));
    await syncDir(dirname(source));
    return true;
  }

  async listMinionKeys(state: KeyState): Promise<string[]> {
    keyStateDir(state);
    const index = await this.keyIndex();
    if (index !== undefined) return index.list(state);
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

  /** Ids in a state, without copying the list (the index's count). */
  async countMinionKeys(state: KeyState): Promise<number> {
    keyStateDir(state);
    const index = await this.keyIndex();
    return index !== undefined ? index.count(state) : (await this.listMinionKeys(state)).length;
  }

  /** The index's change events (another process's writes seen by watch or stamp, this store's own), when indexed. */
  async indexEvents(): Promise<FsKeyIndex['events'] | undefined> {
    return (await this.keyIndex())?.events;
  }

  /** Stops the index's watches (the store keeps working, reading from disk). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const index = this.index;
    if (index !== undefined) (await index.catch(() => undefined))?.close();
  }

  private keyIndex(): Promise<FsKeyIndex | undefined> {
    if (this.indexOptions === false || this.closed) return Promise.resolve(undefined);
    const options = this.indexOptions;
    this.index ??= this.pkiDir()
      .then((root) => new FsKeyIndex(root, KEY_STATE_DIRS, options))
      .catch((error: unknown) => {
        this.index = undefined;
        throw error;
      });
    return this.index;
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
