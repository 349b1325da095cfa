// Packs every publishable package with `pnpm pack`, then checks that the tarball holds every file its
// `exports` map (and `bin`) points to, and runs publint on the unpacked package.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  let lint = '';
  try {
    lint = execFileSync('npx', ['publint', '--strict', unpacked], { encoding: 'utf8' });
  } catch (error) {
    lint = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    missing.push('(publint failed)');
  }
  if (missing.length > 0) {
    failures++;
    console.error(`✗ ${packed.name}: ${missing.join(', ')}\n${lint}`);
  } else {
    console.log(`✓ ${packed.name}@${packed.version}: ${tarball}, every export resolves, publint clean`);
  }
}
rmSync(out, { recursive: true, force: true });
process.exit(failures > 0 ? 1 : 0);
