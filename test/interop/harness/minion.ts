import { readText, baseConfig, makeLayout, removeLayout, writeConfig, type SaltTransport } from './layout.js';
import { exitedEarly, spawnDaemon, stopGroup } from './process.js';
import { waitFor } from './wait.js';
import { saltBin, type SaltVenv } from './venvs.js';
import type { SaltConfig } from './yaml.js';

export interface StartMinionOptions {
  venv: SaltVenv;
  transport: SaltTransport;
  /** Only 127.0.0.1 is allowed (the tests stay on loopback). */
  masterHost?: string;
  /** The master's ret_port (Salt's minion option master_port). */
  masterPort: number;
  /** The master's publish_port. */
  publishPort: number;
  id: string;
  /** Merged last, so it can override any default. */
  extraConfig?: SaltConfig;
}

export interface SaltMinion {
  venv: SaltVenv;
  transport: SaltTransport;
  id: string;
  rootDir: string;
  confDir: string;
  pkiDir: string;
  logFile: string;
  pgid: number;
  config: SaltConfig;
  readLog(): string;
  /** Polls the minion log until `pattern` matches; returns the match. Fails at once if the minion exits. */
  waitForLog(pattern: RegExp, timeout?: number): Promise<RegExpMatchArray>;
  /**
   * Waits for "Minion is ready to receive requests!": authenticated (key accepted), connected to the
   * publisher and tuned in. Publishing before that can be missed by the minion.
   */
  waitUntilReady(timeout?: number): Promise<void>;
  /** Kills the process group (SIGTERM, then SIGKILL) and removes the temp folder. Idempotent. */
  stop(): Promise<void>;
}

export async function startSaltMinion(opts: StartMinionOptions): Promise<SaltMinion> {
  const { venv, transport, id } = opts;
  const masterHost = opts.masterHost ?? '127.0.0.1';
  if (masterHost !== '127.0.0.1') throw new Error(`interop minions only talk to 127.0.0.1, not ${masterHost}`);
  const layout = makeLayout('minion');
  const config: SaltConfig = {
    ...baseConfig(layout, transport),
    id,
    master: masterHost,
    master_port: opts.masterPort,
    publish_port: opts.publishPort,
    acceptance_wait_time: 2,
    acceptance_wait_time_max: 4,
    multiprocessing: false,
    // No reverse-DNS lookups of every local address (the fqdns grain) and no lspci: loopback only, and faster.
    enable_fqdns_grains: false,
    enable_gpu_grains: false,
    ...opts.extraConfig,
  };
  writeConfig(layout, config);

  const daemon = spawnDaemon(
    saltBin(venv, 'salt-minion'),
    ['-c', layout.confDir, '-l', 'debug', '--disable-keepalive'],
    layout.consoleFile,
  );
  let stopped = false;
  const readLog = (): string => readText(layout.logFile);
  const waitForLog = (pattern: RegExp, timeout = 30_000): Promise<RegExpMatchArray> =>
    waitFor(
      () => {
        const match = readLog().match(pattern);
        if (match) return match;
        exitedEarly(daemon, 'salt-minion', layout.consoleFile);
        return undefined;
      },
      { timeout, interval: 100, what: `minion ${id} log to match ${pattern}` },
    );
  return {
    venv,
    transport,
    id,
    rootDir: layout.rootDir,
    confDir: layout.confDir,
    pkiDir: layout.pkiDir,
    logFile: layout.logFile,
    pgid: daemon.pgid,
    config,
    readLog,
    waitForLog,
    async waitUntilReady(timeout = 60_000) {
      await waitForLog(/Minion is ready to receive requests!/, timeout);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopGroup(daemon.pgid);
      removeLayout(layout);
    },
  };
}
