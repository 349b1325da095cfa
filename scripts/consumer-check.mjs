// Packs contracts, core, crypto and transport-tcp, installs the tarballs with npm into a fresh
// project outside the workspace, and runs one small program (scripts/consumer/) four ways:
// ESM, CommonJS require(), TypeScript strict NodeNext (ESM and CommonJS output), and a
// type check under bundler resolution. Exit code 0 only when every way prints the same result.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = ['packages/contracts', 'packages/core', 'packages/crypto', 'packages/transport-tcp'];
const scratch = mkdtempSync(join(tmpdir(), 'brine-consumer-'));
const tarballs = join(scratch, 'tarballs');
const project = join(scratch, 'project');
mkdirSync(tarballs);
mkdirSync(project);
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120_000 });
const version = (name) =>
  JSON.parse(run('node', ['-p', `JSON.stringify(require("${name}/package.json").version)`], root));

const expected = JSON.stringify({ returns: { alpha: true }, brineError: false });
const results = [];
try {
  for (const dir of packages) run('pnpm', ['pack', '--pack-destination', tarballs], join(root, dir));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }, null, 2));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...files,
      `typescript@${version('typescript')}`,
      `@types/node@${version('@types/node')}`,
    ],
    project,
  );
  for (const f of ['program.mjs', 'program.cjs', 'program.mts', 'program.cts']) {
    cpSync(join(root, 'scripts/consumer', f), join(project, f));
  }
  const tsc = (...args) => run('node', [join(project, 'node_modules/typescript/bin/tsc'), ...args], project);
  const check = (label, output) => {
    const last = output.trim().split('\n').at(-1);
    results.push(`${last === expected ? 'ok  ' : 'FAIL'} ${label}: ${last}`);
  };
  check('ESM (import)', run('node', ['program.mjs'], project));
  check('CommonJS (require)', run('node', ['program.cjs'], project));
  const strict = ['--strict', '--target', 'es2022', '--skipLibCheck', 'false', '--types', 'node'];
  tsc(
    ...strict,
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--outDir',
    'out',
    'program.mts',
    'program.cts',
  );
  check('TypeScript NodeNext, ESM output', run('node', ['out/program.mjs'], project));
  check('TypeScript NodeNext, CommonJS output', run('node', ['out/program.cjs'], project));
  tsc(...strict, '--module', 'esnext', '--moduleResolution', 'bundler', '--noEmit', 'program.mts');
  results.push('ok   TypeScript bundler resolution: type-checks');
} catch (error) {
  console.error(results.join('\n'));
  console.error(`consumer-check failed (scratch kept at ${scratch})`);
  console.error(`${error.stdout ?? ''}${error.stderr ?? ''}` || error.message);
  process.exit(1);
}
console.log(results.join('\n'));
if (results.some((r) => r.startsWith('FAIL'))) {
  console.error(`consumer-check failed (scratch kept at ${scratch})`);
  process.exit(1);
}
rmSync(scratch, { recursive: true, force: true });
