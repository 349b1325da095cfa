// Packs contracts, core, crypto and transport-tcp, installs the tarballs with npm into a fresh
// project outside the workspace, and runs one small program (scripts/consumer/) five ways:
// ESM, CommonJS require(), TypeScript strict NodeNext (ESM and CommonJS output), and a
// type check under bundler resolution. Exit code 0 only when every way prints the same result.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root, run, scratchInstall, workspaceVersion } from './lib/scratch-install.mjs';

const packages = ['packages/contracts', 'packages/core', 'packages/crypto', 'packages/transport-tcp'];
const expected = JSON.stringify({ returns: { alpha: true }, brineError: false });
const results = [];
let scratch = '(not created)';
try {
  const installed = scratchInstall('brine-consumer-', packages, { name: 'consumer', private: true }, [
    `typescript@${workspaceVersion('typescript')}`,
    `@types/node@${workspaceVersion('@types/node')}`,
  ]);
  scratch = installed.scratch;
  const project = installed.project;
  const source = (f) => join(root, 'scripts/consumer', f);
  cpSync(source('program.cjs'), join(project, 'program.cjs'));
  for (const f of ['program.mjs', 'program.mts', 'program.cts']) cpSync(source('program.mjs'), join(project, f));
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
