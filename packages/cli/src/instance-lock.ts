import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, StateError } from '@brine/contracts';

/** A pid file held by this process; `release()` removes it if it is still ours. */
export interface InstanceLock {
  readonly paths: readonly string[];
  release(): void;
}

/**
 * Takes the pid files that make a daemon a single instance (the master: `<sock_dir>/brine-master.pid`,
 * since two masters on one sock_dir would steal each other's control sockets, and Salt's `pidfile`
 * when configured). A file naming a live process refuses the start with one clear line; a stale
 * one (its process gone) is replaced.
 */
export function acquireInstanceLock(role: string, paths: readonly string[]): InstanceLock {
  const held: string[] = [];
  try {
    for (const path of paths) {
      take(role, path);
      held.push(path);
    }
  } catch (error) {
    for (const path of held) releaseOne(path);
    throw error;
  }
  return { paths, release: () => held.forEach(releaseOne) };
}

function take(role: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readPid(path);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new StateError(
        ErrorCodes.INVALID_STATE,
        `another brine ${role} (pid ${owner}) is running with ${path}; stop it first, or give this one its own sock_dir`,
        { details: { path, pid: owner } },
      );
    }
    unlinkSync(path); // stale: its process is gone
  }
}

function releaseOne(path: string): void {
  try {
    if (readPid(path) === process.pid) unlinkSync(path);
  } catch {
    // already gone
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Salt's `pidfile`, when the config sets one. */
export function pidfileOf(config: object): string | undefined {
  const value = (config as { pidfile?: unknown }).pidfile;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
