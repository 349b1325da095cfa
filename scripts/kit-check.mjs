// The compliance kit as a third party uses it: packs @brine/contracts, core, crypto, compliance and
// the example transport (examples/transport-memory), installs the tarballs with npm into a scratch
// project outside the workspace, copies in the example's test file and runs it with vitest there.
// Exit code 0 only when every case of the kit passes.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root, run, scratchInstall, workspaceVersion } from './lib/scratch-install.mjs';

const packages = [
  'packages/contracts',
  'packages/core',
  'packages/crypto',
  'packages/compliance',
  'examples/transport-memory',
];
let scratch = '(not created)';
try {
  const installed = scratchInstall(
    'brine-kit-',
    packages,
    { name: 'third-party-kit-check', private: true, type: 'module' },
    [`vitest@${workspaceVersion('vitest')}`],
  );
  scratch = installed.scratch;
  const project = installed.project;
  mkdirSync(join(project, 'test'));
  cpSync(join(root, 'examples/transport-memory/test/compliance.test.ts'), join(project, 'test/compliance.test.ts'));
  const out = run('npx', ['vitest', 'run', '--reporter=dot', '--root', project], project);
  const summary = out
    .split('\n')
    .filter((l) => /Test Files|Tests /.test(l))
    .join('\n');
  console.log(`kit-check: ${installed.count} tarballs installed in ${project}\n${summary}`);
} catch (error) {
  console.error(`kit-check failed (scratch kept at ${scratch})`);
  console.error(`${error.stdout ?? ''}${error.stderr ?? ''}` || error.message);
  process.exit(1);
}
rmSync(scratch, { recursive: true, force: true });
