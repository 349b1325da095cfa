// Checks that the source maps in an unpacked package resolve: every `//# sourceMappingURL=` comment in
// a .js/.d.ts file names a map that is in the package, and every `sources` entry of every .map file is
// a file in the package. Brine ships src/ beside dist/ so that the maps (and declaration maps, which
// let "go to definition" open the TypeScript source) point at real files.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Returns one line per broken link (empty when every map and every map reference resolves). */
export function sourceMapProblems(unpacked) {
  const problems = [];
  const inside = (file) => !relative(unpacked, file).startsWith('..') && existsSync(file);
  for (const file of walk(unpacked)) {
    const name = relative(unpacked, file);
    if (/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file)) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(file, 'utf8'))?.[1];
      if (url && !url.startsWith('data:') && !inside(resolve(dirname(file), url))) {
        problems.push(`${name}: sourceMappingURL ${url} is not in the package`);
      }
    } else if (file.endsWith('.map')) {
      const map = JSON.parse(readFileSync(file, 'utf8'));
      const base = resolve(dirname(file), map.sourceRoot ?? '');
      for (const source of map.sources ?? []) {
        if (!inside(resolve(base, source))) problems.push(`${name}: source ${source} is not in the package`);
      }
    }
  }
  return problems;
}
