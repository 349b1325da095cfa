/**
 * Small, failure-tolerant readers for /proc, /sys and /etc, and the few commands Salt's core
 * grains also run (each with a short timeout; a missing or failing command yields undefined).
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export async function readText(path: string, maxBytes = 4 * 1024 * 1024): Promise<string | undefined> {
  try {
    const buf = await readFile(path);
    return buf.subarray(0, maxBytes).toString('utf8');
  } catch {
    return undefined;
  }
}

export async function readBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

export async function linkTarget(path: string): Promise<string> {
  try {
    return await readlink(path);
  } catch {
    return '';
  }
}

/** salt.utils.path.which: the first executable `name` on PATH. */
export async function which(name: string, envPath = process.env['PATH'] ?? ''): Promise<string | undefined> {
  for (const dir of envPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
}

/** Run a command (no shell) with a timeout; undefined when it cannot be started or times out. */
export function run(file: string, args: readonly string[], timeoutMs = 3000): Promise<RunResult | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(file, [...args], { timeout: timeoutMs, encoding: 'utf8', windowsHide: true }, (err, stdout) => {
        if (
          err &&
          (err as NodeJS.ErrnoException).code !== undefined &&
          typeof (err as { code?: unknown }).code !== 'number'
        ) {
          resolve(undefined); // ENOENT, EACCES, ...
          return;
        }
        if (err && (err as { killed?: boolean }).killed) {
          resolve(undefined); // timed out
          return;
        }
        const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout: String(stdout) });
      });
    } catch {
      resolve(undefined);
    }
  });
}
