// Packs every publishable package with `pnpm pack`, then checks that the tarball holds every file its
// `exports` map (and `bin`) points to and the LICENSE, that every source map in it resolves to a file in
// the tarball (src/ is shipped for that), runs publint on the unpacked package and arethetypeswrong on
// the tarball (node16 from ESM and from CommonJS, bundler; see ATTW_ARGS for what is not checked, why).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceMapProblems } from './lib/source-maps.mjs';

// `--profile node16` checks node16 (from ESM and from CommonJS) and bundler resolution and skips node10
// (TypeScript's legacy `moduleResolution: node`, which ignores `exports`: the subpaths cannot resolve
// there, and Brine does not support it). `cjs-resolves-to-esm` is ignored because the packages are
// ESM-only on purpose: CommonJS consumers require() them through Node >= 20.19's require(esm) (every
// package's `engines`), TypeScript >= 5.8 accepts that under `module: nodenext`, and
// scripts/consumer-check.mjs compiles and runs such a CommonJS consumer. attw bundles TypeScript 5.6,
// which predates require(esm), so it reports every entry point of an ESM-only package that way.
const ATTW_ARGS = ['--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--no-color', '--no-emoji'];

const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages')).filter((d) =>
  existsSync(join(root, 'packages', d, 'package.json')),
);
const out = mkdtempSync(join(tmpdir(), 'brine-pack-'));
let failures = 0;

function targets(exp) {
  if (typeof exp === 'string') return [exp];
  if (exp && typeof exp === 'object') return Object.values(exp).flatMap(targets);
  return [];
}

for (const name of packages) {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  const dest = join(out, name);
  execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: dir, stdio: 'ignore' });
  const tarball = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  execFileSync('tar', ['xzf', join(dest, tarball), '-C', dest]);
  const unpacked = join(dest, 'package');
  const packed = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
  const missing = [...targets(packed.exports), ...targets(packed.bin ?? {})].filter(
    (t) => !t.includes('*') && !existsSync(join(unpacked, t)),
  );
  if (JSON.stringify(packed).includes('workspace:')) missing.push('(a workspace: range was not rewritten)');
  const licence = join(unpacked, 'LICENSE');
  if (!existsSync(licence) || !readFileSync(licence, 'utf8').includes('Apache License')) missing.push('LICENSE');
  if (!existsSync(join(unpacked, 'CHANGELOG.md'))) missing.push('CHANGELOG.md');
  const maps = sourceMapProblems(unpacked);
  if (maps.length > 0) missing.push(`(source maps that do not resolve:\n    ${maps.join('\n    ')})`);
  let lint = '';
  try {
    lint = execFileSync('npx', ['publint', '--strict', unpacked], { encoding: 'utf8' });
  } catch (error) {
    lint = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    missing.push('(publint failed)');
  }
  try {
    execFileSync('npx', ['attw', join(dest, tarball), ...ATTW_ARGS], { encoding: 'utf8' });
  } catch (error) {
    lint += `${error.stdout ?? ''}${error.stderr ?? ''}`;
    missing.push('(arethetypeswrong failed)');
  }
  if (missing.length > 0) {
    failures++;
    console.error(`✗ ${packed.name}: ${missing.join(', ')}\n${lint}`);
  } else {
    console.log(
      `✓ ${packed.name}@${packed.version}: ${tarball}, every export and source map resolves, publint and attw clean`,
    );
  }
}
rmSync(out, { recursive: true, force: true });
process.exit(failures > 0 ? 1 : 0);
