// Shared by kit-check and consumer-check: pack workspace packages and npm-install the tarballs
// (plus pinned extras) into a fresh project outside the workspace, as a user of the registry would.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;

export const run = (cmd, args, cwd, timeout = 300_000) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout });

/** The version of `name` installed in the workspace, to pin the same one in the scratch project. */
export const workspaceVersion = (name) =>
  JSON.parse(run('node', ['-p', `JSON.stringify(require("${name}/package.json").version)`], root));

/**
 * Packs `dirs` (relative to the repo), creates `<scratch>/project` with `manifest` as its
 * package.json and installs the tarballs and `extras` there. Returns the scratch and project paths.
 */
export function scratchInstall(prefix, dirs, manifest, extras = []) {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const tarballs = join(scratch, 'tarballs');
  const project = join(scratch, 'project');
  mkdirSync(tarballs);
  mkdirSync(project);
  for (const dir of dirs) run('pnpm', ['pack', '--pack-destination', tarballs], join(root, dir));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files, ...extras], project);
  return { scratch, project, count: files.length };
}
