import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `@scope/name/sub/path` → `['@scope/name', './sub/path']`. */
export function splitSpecifier(spec: string): [name: string, subpath: string] {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const rest = parts.slice(nameLength).join('/');
  return [name, rest === '' ? '.' : `./${rest}`];
}

const CONDITIONS = ['node', 'import', 'default'];

function pickTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const item of entry) {
      const target = pickTarget(item);
      if (target) return target;
    }
    return undefined;
  }
  if (typeof entry === 'object' && entry !== null) {
    for (const [condition, value] of Object.entries(entry)) {
      if (CONDITIONS.includes(condition)) {
        const target = pickTarget(value);
        if (target) return target;
      }
    }
  }
  return undefined;
}

/** The file an ESM `import` of `subpath` of the package in `dir` loads (its `exports`, else `main`). */
function entryOf(dir: string, subpath: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: unknown;
    main?: string;
  };
  const { exports } = manifest;
  let target: string | undefined;
  if (exports !== undefined) {
    const map =
      typeof exports === 'object' &&
      exports !== null &&
      !Array.isArray(exports) &&
      Object.keys(exports)[0]?.startsWith('.')
        ? (exports as Record<string, unknown>)
        : { '.': exports };
    target = pickTarget(map[subpath]);
  } else if (subpath === '.') {
    target = manifest.main ?? 'index.js';
  } else {
    target = subpath;
  }
  return target === undefined ? undefined : resolvePath(dir, target);
}

/**
 * Finds `spec` (a package name with an optional subpath) in the `node_modules` folders above each of
 * `from` (directories or file URLs), as Node's resolver does for an ESM import there. Returns the
 * entry file's URL, or undefined when no folder has the package.
 */
export function resolvePackage(spec: string, from: readonly string[]): string | undefined {
  const [name, subpath] = splitSpecifier(spec);
  for (const start of from) {
    let dir = start.startsWith('file:') ? dirname(fileURLToPath(start)) : resolvePath(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        const entry = entryOf(candidate, subpath);
        if (entry && existsSync(entry)) return pathToFileURL(entry).href;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}
