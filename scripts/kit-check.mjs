// The compliance kit as a third party uses it: packs @brine/contracts, core, crypto, compliance and
// the example transport (examples/transport-memory), installs the tarballs with npm into a scratch
// project outside the workspace, copies in the example's test file and runs it with vitest there.
// Exit code 0 only when every case of the kit passes.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = [
  'packages/contracts',
  'packages/core',
  'packages/crypto',
  'packages/compliance',
  'examples/transport-memory',
];
const scratch = mkdtempSync(join(tmpdir(), 'brine-kit-'));
const tarballs = join(scratch, 'tarballs');
mkdirSync(tarballs);
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

try {
  for (const dir of packages) run('pnpm', ['pack', '--pack-destination', tarballs], join(root, dir));
  const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
  const project = join(scratch, 'project');
  mkdirSync(join(project, 'test'), { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'third-party-kit-check', private: true, type: 'module' }, null, 2),
  );
  const vitest = JSON.parse(run('node', ['-p', 'JSON.stringify(require("vitest/package.json").version)'], root));
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...files.map((f) => join(tarballs, f)),
      `vitest@${vitest}`,
    ],
    project,
  );
  cpSync(join(root, 'examples/transport-memory/test/compliance.test.ts'), join(project, 'test/compliance.test.ts'));
  const out = run('npx', ['vitest', 'run', '--reporter=dot', '--root', project], project);
  const summary = out
    .split('\n')
    .filter((l) => /Test Files|Tests /.test(l))
    .join('\n');
  console.log(`kit-check: ${files.length} tarballs installed in ${project}\n${summary}`);
} catch (error) {
  console.error(`kit-check failed (scratch kept at ${scratch})`);
  console.error(error.stdout ?? error.message);
  process.exit(1);
}
rmSync(scratch, { recursive: true, force: true });
