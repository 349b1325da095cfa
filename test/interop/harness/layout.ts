import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { toYaml, type SaltConfig } from './yaml.js';

export type SaltTransport = 'zeromq' | 'tcp' | 'ws';
export const TRANSPORTS: readonly SaltTransport[] = ['zeromq', 'tcp', 'ws'];

/** The transports a Salt release has: the WebSocket transport arrived in 3007 (3006 LTS has zeromq and tcp). */
export function transportsOf(major: number): readonly SaltTransport[] {
  return major >= 3007 ? TRANSPORTS : TRANSPORTS.filter((t) => t !== 'ws');
}

/** Where one daemon keeps everything: one temporary folder, removed on stop. */
export interface DaemonLayout {
  rootDir: string;
  confDir: string;
  confFile: string;
  pkiDir: string;
  cacheDir: string;
  sockDir: string;
  pidFile: string;
  logFile: string;
  /** stdout + stderr of the daemon process. */
  consoleFile: string;
}

/**
 * Makes the temp folder `<prefix>-<role>-XXXXXX` for a `role` ("master" or "minion") daemon
 * (`brine-salt-*` for real Salt daemons, `brine-cli-*` for Brine's). Kept short: unix socket paths
 * (sock_dir/...ipc) must stay under 108 bytes.
 */
export function makeLayout(role: 'master' | 'minion', prefix = 'brine-salt'): DaemonLayout {
  // A long TMPDIR would push sock_dir/minion_event_<hash>_pull.ipc past the 107-byte limit.
  const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  const rootDir = mkdtempSync(join(base, `${prefix}-${role}-`));
  const layout: DaemonLayout = {
    rootDir,
    confDir: join(rootDir, 'conf'),
    confFile: join(rootDir, 'conf', role),
    pkiDir: join(rootDir, 'pki'),
    cacheDir: join(rootDir, 'cache'),
    sockDir: join(rootDir, 'sock'),
    pidFile: join(rootDir, 'run', `salt-${role}.pid`),
    logFile: join(rootDir, 'log', `${role}.log`),
    consoleFile: join(rootDir, 'log', `${role}.console`),
  };
  for (const dir of [
    layout.confDir,
    layout.pkiDir,
    layout.cacheDir,
    layout.sockDir,
    join(rootDir, 'run'),
    join(rootDir, 'log'),
  ]) {
    mkdirSync(dir, { recursive: true });
  }
  return layout;
}

/** The options every daemon gets so that nothing is read or written outside its folder. */
export function baseConfig(layout: DaemonLayout, transport: SaltTransport): SaltConfig {
  return {
    root_dir: layout.rootDir,
    conf_file: layout.confFile,
    pki_dir: layout.pkiDir,
    cachedir: layout.cacheDir,
    sock_dir: layout.sockDir,
    pidfile: layout.pidFile,
    log_file: layout.logFile,
    log_level_logfile: 'debug',
    user: userInfo().username,
    transport,
  };
}

export function writeConfig(layout: DaemonLayout, config: SaltConfig): void {
  writeFileSync(layout.confFile, toYaml(config));
}

export function readText(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Removes the temp folder, unless BRINE_INTEROP_KEEP=1 (then it is kept for post-mortems). */
export function removeLayout(layout: DaemonLayout): void {
  if (process.env.BRINE_INTEROP_KEEP === '1') return;
  rmSync(layout.rootDir, { recursive: true, force: true });
}
