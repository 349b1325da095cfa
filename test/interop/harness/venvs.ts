import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (test/interop/harness/../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A Salt installation: a Python virtualenv with salt in it. */
export interface SaltVenv {
  /** Absolute path of the venv. */
  path: string;
  /** Installed salt version, e.g. "3008.4" (read from the dist-info folder, no process spawned). */
  version: string;
  /** Major release line, e.g. 3008. */
  major: number;
  /** Short label for test names, e.g. "salt 3008.4". */
  label: string;
}

export const DEFAULT_VENVS = ['.venv/salt-3008', '.venv/salt-3007', '.venv/salt-3006'];

/** Reads the installed salt version of a venv, or throws with a hint to run setup-salt.sh. */
export function readVenv(path: string): SaltVenv {
  const abs = isAbsolute(path) ? path : resolve(REPO_ROOT, path);
  if (!existsSync(join(abs, 'bin', 'salt-master'))) {
    throw new Error(`no Salt venv at ${abs} (run scripts/setup-salt.sh, or set BRINE_SALT_VENVS)`);
  }
  const libDir = join(abs, 'lib');
  for (const py of readdirSync(libDir)) {
    const site = join(libDir, py, 'site-packages');
    if (!existsSync(site)) continue;
    const info = readdirSync(site).find((n) => /^salt-[0-9][^-]*\.dist-info$/.test(n));
    const version = info?.slice('salt-'.length, -'.dist-info'.length);
    if (version) {
      return { path: abs, version, major: Number(version.split('.')[0]), label: `salt ${version}` };
    }
  }
  throw new Error(`no salt-*.dist-info under ${libDir}`);
}

/**
 * The venvs the interop tests run against: env BRINE_SALT_VENVS (comma or space separated venv
 * paths, absolute or relative to the repo root), else .venv/salt-3008, .venv/salt-3007 and .venv/salt-3006.
 */
export function saltVersions(env: NodeJS.ProcessEnv = process.env): SaltVenv[] {
  const raw = env.BRINE_SALT_VENVS?.trim();
  const paths = raw ? raw.split(/[\s,]+/).filter(Boolean) : DEFAULT_VENVS;
  return paths.map(readVenv);
}

/** Path of a console script (salt-master, salt-key, ...) in a venv. */
export function saltBin(venv: SaltVenv, name: string): string {
  return join(venv.path, 'bin', name);
}
