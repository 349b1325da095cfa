/**
 * Salt's AES rotation dropfile: `<cachedir>/.dfn`, mode 0400, content = the master id.
 * `salt-key` writes it after deleting or rejecting keys (`salt.crypt.dropfile`); the master's
 * maintenance loop rotates the AES key when it finds one with the right mode and id, and
 * removes it (`Maintenance.handle_key_rotate`). Brine's and Salt's tools can share a cachedir.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@brine/contracts';
import { errnoCode, fsError, lstatOrUndefined, readRegularFile, refused, writeFileAtomic } from './safe-fs.js';

export const DROPFILE_NAME = '.dfn';
const DROPFILE_MODE = 0o400;
const isWindows = process.platform === 'win32';

export function rotateDropfilePath(cachedir: string): string {
  return join(cachedir, DROPFILE_NAME);
}

/** Requests an AES key rotation. Returns false when one was already requested (the file exists). */
export async function writeRotateDropfile(cachedir: string, masterId: string): Promise<boolean> {
  const path = rotateDropfilePath(cachedir);
  try {
    await fs.mkdir(cachedir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fsError('mkdir', cachedir, error);
  }
  const existing = await lstatOrUndefined(path);
  if (existing?.isFile()) return false;
  if (existing !== undefined) throw refused(path, 'not a regular file');
  await writeFileAtomic(path, masterId, DROPFILE_MODE);
  return true;
}

/**
 * The maintenance loop's check: true when a rotation was requested for `masterId`, in which case
 * the dropfile is removed. A dropfile with another mode or another master's id is left alone, as
 * Salt does; so is anything that is not a regular file.
 */
export async function consumeRotateDropfile(
  cachedir: string,
  masterId: string,
  logger?: Pick<Logger, 'error' | 'debug'>,
): Promise<boolean> {
  const path = rotateDropfilePath(cachedir);
  let file;
  try {
    file = await readRegularFile(path, 4096);
  } catch (error) {
    logger?.error(`Ignoring rotation dropfile ${path}`, error);
    return false;
  }
  if (file === undefined) return false;
  // Salt on Windows only checks the read-only attribute; elsewhere the mode must be exactly 0400.
  if (!isWindows && (file.mode & 0o7777) !== DROPFILE_MODE) {
    logger?.error(`Found dropfile ${path} with incorrect permissions, ignoring`);
    return false;
  }
  if (file.text !== masterId) {
    logger?.debug(`Dropfile ${path} is for another master, ignoring`);
    return false;
  }
  try {
    if (isWindows) await fs.chmod(path, 0o600); // read-only files cannot be deleted there
    await fs.unlink(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false; // another consumer took it
    throw fsError('unlink', path, error);
  }
  return true;
}
