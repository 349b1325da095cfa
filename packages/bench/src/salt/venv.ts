import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export interface SaltVenv {
  path: string;
  version: string;
}

/** Where a Salt 3008 venv is looked for: the option, BRINE_BENCH_SALT_VENV, the repo's .venv, /tmp/saltvenv. */
export function saltVenvCandidates(repoRoot: string, explicit?: string): string[] {
  const list = [
    explicit,
    process.env.BRINE_BENCH_SALT_VENV,
    join(repoRoot, '.venv', 'salt-3008'),
    '/tmp/saltvenv/v3008',
  ];
  return list
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .map((p) => (isAbsolute(p) ? p : resolve(repoRoot, p)));
}

/** The first candidate with bin/salt-master, and its salt version (from the dist-info folder). */
export function findSaltVenv(repoRoot: string, explicit?: string): SaltVenv | undefined {
  for (const path of saltVenvCandidates(repoRoot, explicit)) {
    if (!existsSync(join(path, 'bin', 'salt-master'))) continue;
    return { path, version: saltVersion(path) ?? 'unknown' };
  }
  return undefined;
}

function saltVersion(venv: string): string | undefined {
  const lib = join(venv, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const py of readdirSync(lib)) {
    const site = join(lib, py, 'site-packages');
    if (!existsSync(site)) continue;
    const info = readdirSync(site).find((n) => /^salt-[0-9][^-]*\.dist-info$/.test(n));
    if (info) return info.slice('salt-'.length, -'.dist-info'.length);
  }
  return undefined;
}
