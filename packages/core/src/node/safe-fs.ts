import { ErrorCodes } from '@brine/contracts';
/**
 * File primitives for stores that take names from the wire: never follow a symlink in the last
 * component, never open a FIFO or device (CVE-2025-22242: a FIFO wedged Salt's workers), and
 * replace files atomically (temp file in the same folder, fsync, rename).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KeyStoreError } from '../keystore/errors.js';

/** Temp files start with this; stores must not list them as entries. */
export const TEMP_PREFIX = '.brine-tmp-';
export const DEFAULT_MAX_FILE_BYTES = 1 << 20;

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
// Opening a FIFO for reading blocks until a writer comes; O_NONBLOCK returns at once so fstat can refuse it.
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function fsError(op: string, path: string, cause: unknown): KeyStoreError {
  if (cause instanceof KeyStoreError) return cause;
  return new KeyStoreError(ErrorCodes.KEY_STORE, `${op} failed for ${path}`, {
    cause,
    details: { op, path, errno: errnoCode(cause) },
  });
}

export function refused(path: string, reason: string): KeyStoreError {
  return new KeyStoreError(ErrorCodes.KEY_STORE, `Refused ${path}: ${reason}`, { details: { path, reason } });
}

const FD_RETRY_DELAYS = [5, 10, 20, 40, 80, 160, 320];

/**
 * Runs `op`, retrying while it fails with EMFILE/ENFILE (descriptors exhausted, e.g. by a
 * connection flood until the listener's caps close the excess): about 0.6 s in all, then the error.
 */
export async function retryOnFdExhaustion<T>(
  op: () => Promise<T>,
  delays: readonly number[] = FD_RETRY_DELAYS,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      const code = errnoCode(error);
      if ((code !== 'EMFILE' && code !== 'ENFILE') || attempt >= delays.length) throw error;
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }
}

/** Reads a regular file; undefined when absent. Refuses symlinks, FIFOs, directories and oversized files. */
export async function readRegularFile(
  path: string,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
): Promise<{ text: string; mode: number } | undefined> {
  let handle: FileHandle;
  try {
    handle = await retryOnFdExhaustion(() => fs.open(path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') throw refused(path, 'symbolic link');
    throw fsError('open', path, error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw refused(path, 'not a regular file');
    if (stat.size > maxBytes) throw refused(path, `larger than ${maxBytes} bytes`);
    return { text: await handle.readFile('utf8'), mode: stat.mode };
  } catch (error) {
    throw fsError('read', path, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** lstat without following; undefined when absent. */
export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw fsError('lstat', path, error);
  }
}

/** Throws unless `path` is absent or a regular file (not a symlink). Returns whether it exists. */
export async function assertRegularOrAbsent(path: string): Promise<boolean> {
  const stat = await lstatOrUndefined(path);
  if (stat === undefined) return false;
  if (!stat.isFile()) throw refused(path, stat.isSymbolicLink() ? 'symbolic link' : 'not a regular file');
  return true;
}

/** Creates `path` (one level, `mode`) when absent; refuses a symlink or non-directory there. */
export async function ensureDir(path: string, mode: number): Promise<void> {
  try {
    await fs.mkdir(path, { mode });
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw fsError('mkdir', path, error);
  }
  await assertDir(path);
}

/** Whether `path` is a real directory; false when absent; refuses a symlink or a file there. */
export async function assertDir(path: string): Promise<boolean> {
  const stat = await lstatOrUndefined(path);
  if (stat === undefined) return false;
  if (!stat.isDirectory()) throw refused(path, stat.isSymbolicLink() ? 'symbolic link' : 'not a directory');
  return true;
}

/** Writes `text` to `path` with exactly `mode`: temp file in the same folder, fsync, rename, fsync folder. */
export async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  await assertRegularOrAbsent(path);
  const dir = dirname(path);
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  try {
    // 'wx' is O_CREAT|O_EXCL: it fails on anything already there, a symlink included.
    const handle = await fs.open(temp, 'wx', mode);
    try {
      await handle.chmod(mode); // the umask may have narrowed `mode`
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw fsError(`write ${basename(path)}`, path, error);
  }
  await syncDir(dir);
}

/** Makes a rename or unlink in `dir` durable. Best effort: not every platform can fsync a folder. */
export async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Windows and some file systems refuse; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Removes a regular file; false when absent; refuses a symlink or non-regular file. */
export async function unlinkRegular(path: string): Promise<boolean> {
  if (!(await assertRegularOrAbsent(path))) return false;
  try {
    await fs.unlink(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw fsError('unlink', path, error);
  }
  await syncDir(dirname(path));
  return true;
}
