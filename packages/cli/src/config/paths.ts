import { isAbsolute, join, resolve } from 'node:path';

/** The options that name files or folders (Salt prepends `root_dir` to these). */
export const PATH_OPTIONS = ['pki_dir', 'cachedir', 'sock_dir', 'log_file', 'pidfile'] as const;

/**
 * Salt's `root_dir`: when set (and not `/`), every path option (defaults included) lives under it,
 * and relative paths are relative to it; paths already under `root_dir` are left alone. Without
 * `root_dir`, relative paths are relative to the working directory.
 */
export function applyRootDir<T extends Record<string, unknown>>(options: T): T {
  const root = options.root_dir;
  const rootDir = typeof root === 'string' && root !== '' ? resolve(root) : '/';
  const out: Record<string, unknown> = { ...options };
  if (rootDir !== '/') out.root_dir = rootDir;
  for (const name of PATH_OPTIONS) {
    const value = out[name];
    if (typeof value !== 'string' || value === '') continue;
    if (!isAbsolute(value)) out[name] = resolve(rootDir === '/' ? process.cwd() : rootDir, value);
    else if (rootDir !== '/' && value !== rootDir && !value.startsWith(`${rootDir}/`)) out[name] = join(rootDir, value);
  }
  return out as T;
}
