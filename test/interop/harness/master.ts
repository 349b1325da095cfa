import { join } from 'node:path';
import { parseJsonOutput, run } from './cli.js';
import { freePort } from './ports.js';
import { exitedEarly, spawnDaemon, stopGroup } from './process.js';
import { baseConfig, makeLayout, readText, removeLayout, writeConfig, type SaltTransport } from './layout.js';
import { waitForPorts } from './wait.js';
import { saltBin, type SaltVenv } from './venvs.js';
import type { SaltConfig } from './yaml.js';
import { saltKeyCommands, type SaltKeyCommands } from './key.js';

export interface StartMasterOptions {
  venv: SaltVenv;
  transport: SaltTransport;
  /** Merged last, so it can override any default (e.g. worker_pools_enabled). */
  extraConfig?: SaltConfig;
  /** How long to wait for both ports to accept connections (ms, default 60 000). */
  readyTimeout?: number;
  /**
   * Fault injection: a Python file run with the venv's python instead of the salt-master console
   * script (same arguments). It may patch salt before calling `salt.scripts.salt_master()`.
   */
  pythonWrapper?: string;
  /** Extra environment variables for the salt-master process (e.g. BRINE_FAULT for the wrapper). */
  env?: Record<string, string>;
}

export interface SaltCallOptions {
  /**
   * salt's -t (seconds to wait for returns), default 15. The CLI returns as soon as every targeted
   * minion has returned; -t only matters when it misses a return event (README, Quirks), after
   * which it asks the minion with saltutil.find_job and reads the job cache.
   */
  timeout?: number;
  /** A target selection flag put before the target (`-G`, `-C`, `-L`, ...); default: a glob. */
  targetFlag?: string;
}

export interface SaltMaster extends SaltKeyCommands {
  venv: SaltVenv;
  transport: SaltTransport;
  rootDir: string;
  confDir: string;
  pkiDir: string;
  publishPort: number;
  retPort: number;
  logFile: string;
  /** Process group id of the salt-master. */
  pgid: number;
  /** The config written to conf/master. */
  config: SaltConfig;
  /**
   * Runs `salt -t <timeout> <target> <fun> <args...> --out json` and returns the parsed output, one
   * key per minion that returned (the per-minion JSON documents are merged). Not `--static`: that
   * switches the CLI to batch mode, which first publishes test.ping to find the minions.
   */
  salt(target: string, fun: string, args?: string[], opts?: SaltCallOptions): Promise<Record<string, unknown>>;
  readLog(): string;
  /** Kills the process group (SIGTERM, then SIGKILL) and removes the temp folder. Idempotent. */
  stop(): Promise<void>;
}

/**
 * 3008.2 with worker_pools_enabled (its default) failed every tcp/ws _auth. 3008.4 is fixed
 * (README, Facts (b)); the pools stay off for 3008 tcp/ws unless extraConfig turns them on.
 */
function needsWorkerPoolsOff(venv: SaltVenv, transport: SaltTransport): boolean {
  return venv.major >= 3008 && transport !== 'zeromq';
}

export async function startSaltMaster(opts: StartMasterOptions): Promise<SaltMaster> {
  const { venv, transport } = opts;
  const layout = makeLayout('master');
  const [publishPort, retPort] = [await freePort(), await freePort()];
  const config: SaltConfig = {
    ...baseConfig(layout, transport),
    key_logfile: join(layout.rootDir, 'log', 'key.log'),
    interface: '127.0.0.1',
    publish_port: publishPort,
    ret_port: retPort,
    worker_threads: 2,
    file_roots: { base: [join(layout.rootDir, 'srv', 'salt')] },
    pillar_roots: { base: [join(layout.rootDir, 'srv', 'pillar')] },
    ...(needsWorkerPoolsOff(venv, transport) ? { worker_pools_enabled: false } : {}),
    ...opts.extraConfig,
  };
  writeConfig(layout, config);

  const args = ['-c', layout.confDir, '-l', 'debug'];
  const env = { ...process.env, ...opts.env };
  const daemon = opts.pythonWrapper
    ? spawnDaemon(saltBin(venv, 'python'), [opts.pythonWrapper, ...args], layout.consoleFile, env)
    : spawnDaemon(saltBin(venv, 'salt-master'), args, layout.consoleFile, env);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopGroup(daemon.pgid);
    removeLayout(layout);
  };

  try {
    await waitForPorts(
      '127.0.0.1',
      [retPort, publishPort],
      opts.readyTimeout ?? 60_000,
      `salt-master (${venv.label}, ${transport}) ports ${retPort}/${publishPort}`,
      () => exitedEarly(daemon, 'salt-master', layout.consoleFile),
    );
  } catch (err) {
    await stop();
    throw err;
  }

  const keys = saltKeyCommands(venv, layout.confDir, layout.pkiDir);
  return {
    ...keys,
    venv,
    transport,
    rootDir: layout.rootDir,
    confDir: layout.confDir,
    pkiDir: layout.pkiDir,
    publishPort,
    retPort,
    logFile: layout.logFile,
    pgid: daemon.pgid,
    config,
    async salt(target, fun, args = [], callOpts = {}) {
      const timeout = callOpts.timeout ?? 15;
      const flag = callOpts.targetFlag ? [callOpts.targetFlag] : [];
      const argv = ['-c', layout.confDir, '--out', 'json', '-t', String(timeout), ...flag, target, fun, ...args];
      const res = await run(saltBin(venv, 'salt'), argv, (timeout + 30) * 1000);
      const failure = (): Error =>
        new Error(`salt ${argv.join(' ')} exited ${res.code}; stdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
      if (res.code !== 0 && res.stdout.trim() === '') throw failure();
      try {
        return parseJsonOutput(res.stdout);
      } catch {
        throw failure();
      }
    },
    readLog: () => readText(layout.logFile),
    stop,
  };
}
