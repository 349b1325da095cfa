// Real `brine master` / `brine minion` processes for the adversarial suite, each started with
// `node --unhandled-rejections=strict` in its own process group and temp folder (the interop
// harness's layout, spawn and stop helpers), listening on ports the system picks (port 0).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run, type CommandResult } from '../../interop/harness/cli.js';
import { makeLayout, readText, removeLayout, writeConfig, type DaemonLayout } from '../../interop/harness/layout.js';
import { exitedEarly, spawnDaemon, stopGroup, type Daemon } from '../../interop/harness/process.js';
import { REPO_ROOT } from '../../interop/harness/venvs.js';
import { waitFor } from '../../interop/harness/wait.js';
import type { SaltConfig } from '../../interop/harness/yaml.js';
import { scrape, seriesValue } from './metrics.js';
import { alive } from './procfs.js';

export type Transport = 'zeromq' | 'tcp' | 'ws';

export const BRINE_BIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');
/** Extra flags for every daemon from BRINE_ADV_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"). */
export const NODE_FLAGS = [
  '--unhandled-rejections=strict',
  ...(process.env.BRINE_ADV_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
];

/** What no process of the suite may ever print (stderr or log file). */
export const CRASH_PATTERN = /unhandled|uncaught|FATAL ERROR|heap out of memory|Segmentation fault/i;

/** `node --unhandled-rejections=strict packages/cli/dist/bin.js <args>` to completion (never throws on the exit code). */
export function brine(args: string[], timeout = 60_000): Promise<CommandResult> {
  if (!existsSync(BRINE_BIN)) throw new Error(`${BRINE_BIN} is missing: run \`pnpm run build\` first`);
  return run(process.execPath, [...NODE_FLAGS, BRINE_BIN, ...args], timeout);
}

interface Proc {
  daemon: Daemon;
  layout: DaemonLayout;
  pid: number;
  config: SaltConfig;
  /** stderr/stdout and the log file. */
  output(): string;
  /** Lines of output (stderr + log) matching CRASH_PATTERN. */
  crashLines(): string[];
  exitCode(): number | string | null;
  alive(): boolean;
  stop(): Promise<void>;
}

function proc(daemon: Daemon, layout: DaemonLayout, config: SaltConfig): Proc {
  let stopped = false;
  const output = (): string => readText(layout.consoleFile) + '\n' + readText(layout.logFile);
  return {
    daemon,
    layout,
    pid: daemon.pgid,
    config,
    output,
    crashLines: () =>
      output()
        .split('\n')
        .filter((l) => CRASH_PATTERN.test(l)),
    exitCode: () => daemon.child.exitCode ?? daemon.child.signalCode,
    alive: () => daemon.child.exitCode === null && daemon.child.signalCode === null && alive(daemon.pgid),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopGroup(daemon.pgid);
      removeLayout(layout);
    },
  };
}

export interface MasterProcess extends Proc {
  transport: Transport;
  publishPort: number;
  retPort: number;
  confDir: string;
  pkiDir: string;
  /** The master's `/metrics` port (`metrics_port: 0`, read from its log). */
  metricsPort: number;
  /** The sum of the samples of one series of `/metrics` whose labels include `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** `brine key -c <conf> <args>`. */
  key(args: string[], timeout?: number): Promise<CommandResult>;
  /** `brine key -a <id> -y`, then waits until the key is accepted. */
  accept(id: string): Promise<void>;
  /** `brine run -c <conf> --out json --static -t <timeout> <target> <fun> <args>`; returns are the parsed JSON (or undefined). */
  run(
    target: string,
    fun: string,
    args?: string[],
    timeout?: number,
  ): Promise<CommandResult & { returns: Record<string, unknown> | undefined }>;
}

/** Starts `brine master` on 127.0.0.1, ports from 0; resolves once both servers and the control socket are up. */
export async function startMaster(transport: Transport, extraConfig: SaltConfig = {}): Promise<MasterProcess> {
  const layout = makeLayout('master', 'brine-adv');
  const config: SaltConfig = {
    root_dir: layout.rootDir,
    pki_dir: layout.pkiDir,
    cachedir: layout.cacheDir,
    sock_dir: layout.sockDir,
    log_file: layout.logFile,
    log_level_logfile: 'info',
    transport,
    interface: '127.0.0.1',
    publish_port: 0,
    ret_port: 0,
    auto_accept: false,
    loop_interval: 1,
    metrics_port: 0,
    ...extraConfig,
  };
  writeConfig(layout, config);
  const daemon = spawnDaemon(
    process.execPath,
    [...NODE_FLAGS, BRINE_BIN, 'master', '-c', layout.confDir, '-l', 'warning'],
    layout.consoleFile,
  );
  const p = proc(daemon, layout, config);
  let ports: RegExpMatchArray;
  let metricsPort: number;
  try {
    ports = await waitFor(
      () => {
        const m = readText(layout.logFile).match(/listening over \S+: publish \S+:(\d+), request \S+:(\d+)/);
        if (m) return m;
        exitedEarly(daemon, 'brine master', layout.consoleFile);
        return undefined;
      },
      { timeout: 60_000, interval: 50, what: 'brine master to listen' },
    );
    const mp = readText(layout.logFile).match(/Metrics on http:\/\/\S+:(\d+)\/metrics/);
    if (!mp) throw new Error('brine master logged no metrics port');
    metricsPort = Number(mp[1]);
  } catch (err) {
    await p.stop();
    throw err;
  }
  const key = (args: string[], timeout = 60_000) => brine(['key', '-c', layout.confDir, ...args], timeout);
  return {
    ...p,
    transport,
    publishPort: Number(ports[1]),
    retPort: Number(ports[2]),
    confDir: layout.confDir,
    pkiDir: layout.pkiDir,
    metricsPort,
    async metric(name, labels) {
      return seriesValue(await scrape(metricsPort), name, labels);
    },
    key,
    async accept(id) {
      const pending = join(layout.pkiDir, 'minions_pre', id);
      await waitFor(() => existsSync(pending), { timeout: 60_000, interval: 50, what: `pending key of ${id}` });
      const res = await key(['-a', id, '-y']);
      if (!res.stdout.includes(`Key for minion ${id} accepted.`))
        throw new Error(`brine key -a ${id}: ${res.stdout}\n${res.stderr}`);
    },
    async run(target, fun, args = [], timeout = 10) {
      // --static: one JSON object for every minion (without it, one per minion, as salt prints them).
      const argv = [
        'run',
        '-c',
        layout.confDir,
        '--out',
        'json',
        '--static',
        '-t',
        String(timeout),
        target,
        fun,
        ...args,
      ];
      const res = await brine(argv, (timeout + 30) * 1000);
      let returns: Record<string, unknown> | undefined;
      try {
        returns = JSON.parse(res.stdout) as Record<string, unknown>;
      } catch {
        returns = undefined;
      }
      return { ...res, returns };
    },
  };
}

export interface MinionProcess extends Proc {
  id: string;
  /** Number of `Executing command <fun> with jid <jid>` lines (optionally only those matching `jid`). */
  runs(filter?: (fun: string, jid: string) => boolean): number;
  /** Starts the same minion again (same pki and cachedir: its jid cache survives). */
  restart(): Promise<MinionProcess>;
}

export interface MinionOptions {
  id: string;
  transport: Transport;
  masterPort: number;
  publishPort: number;
  extraConfig?: SaltConfig;
  /** Reuse this folder (a restart). */
  layout?: DaemonLayout;
}

/** Starts `brine minion` (a real minion process) pointed at 127.0.0.1. Returns at once. */
export function startMinion(opts: MinionOptions): MinionProcess {
  const layout = opts.layout ?? makeLayout('minion', 'brine-adv');
  const config: SaltConfig = {
    id: opts.id,
    master: '127.0.0.1',
    master_port: opts.masterPort,
    publish_port: opts.publishPort,
    transport: opts.transport,
    pki_dir: layout.pkiDir,
    cachedir: layout.cacheDir,
    sock_dir: layout.sockDir,
    log_file: layout.logFile,
    log_level_logfile: 'info',
    acceptance_wait_time: 1,
    acceptance_wait_time_max: 2,
    ...opts.extraConfig,
  };
  writeConfig(layout, config);
  const daemon = spawnDaemon(
    process.execPath,
    [...NODE_FLAGS, BRINE_BIN, 'minion', '-c', layout.confDir, '-l', 'warning'],
    layout.consoleFile,
  );
  const p = proc(daemon, layout, config);
  return {
    ...p,
    id: opts.id,
    runs(filter) {
      let n = 0;
      for (const m of readText(layout.logFile).matchAll(/Executing command (\S+) with jid (\S+)/g)) {
        if (!filter || filter(m[1]!, m[2]!)) n++;
      }
      return n;
    },
    async restart() {
      await stopGroup(daemon.pgid);
      return startMinion({ ...opts, layout });
    },
  };
}

/** Waits until the minion process logged that it is up (signed in, publish connected). */
export async function minionUp(m: MinionProcess, since = 0, timeout = 60_000): Promise<void> {
  await waitFor(
    () => {
      if (readText(m.layout.logFile).slice(since).includes(`Minion '${m.id}' is up`)) return true;
      exitedEarly(m.daemon, `brine minion ${m.id}`, m.layout.consoleFile);
      return false;
    },
    { timeout, interval: 50, what: `brine minion ${m.id} to be up` },
  );
}
