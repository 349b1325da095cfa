// The Brine side of the interop tests, through the `brine` CLI (packages/cli/dist/bin.js): a
// `brine master` daemon in its own process group and temp folder, and `brine key` / `brine run`
// against it, the way an operator would drive it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonOutput, run, type CommandResult } from './cli.js';
import { keyCliCommands, type KeyList } from './key.js';
import { makeLayout, readText, removeLayout, writeConfig, type SaltTransport } from './layout.js';
import { freePort } from './ports.js';
import { exitedEarly, spawnDaemon, stopGroup, type Daemon } from './process.js';
import { REPO_ROOT } from './venvs.js';
import { waitFor } from './wait.js';
import type { SaltConfig } from './yaml.js';

/** The built CLI (`npx tsc -b` first). */
export const BRINE_BIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');

const CLI_TIMEOUT_MS = 60_000;

/** Runs `node packages/cli/dist/bin.js <args...>` to completion; never throws on the exit code. */
export function brine(args: string[], timeout = CLI_TIMEOUT_MS): Promise<CommandResult> {
  if (!existsSync(BRINE_BIN)) throw new Error(`${BRINE_BIN} is missing: run \`npx tsc -b\` first`);
  return run(process.execPath, [BRINE_BIN, ...args], timeout);
}

export interface StartBrineMasterOptions {
  transport: SaltTransport;
  /** Merged last (Salt option names), so it can override any default. */
  extraConfig?: SaltConfig;
  /** How long to wait for the master to listen (ms, default 60 000). */
  readyTimeout?: number;
}

/** What `brine run ... --out json` printed, parsed, with its exit code. */
export interface BrineRunResult extends CommandResult {
  returns: Record<string, unknown>;
}

export interface BrineMaster {
  transport: SaltTransport;
  rootDir: string;
  confDir: string;
  pkiDir: string;
  cacheDir: string;
  sockDir: string;
  logFile: string;
  publishPort: number;
  retPort: number;
  /** Process group id of `brine master`. */
  pgid: number;
  config: SaltConfig;
  /** `brine key -c <conf> <args...>`; throws if it exits non-zero. */
  key(args: string[]): Promise<CommandResult>;
  /** `brine key -L --out json`. */
  listKeys(): Promise<KeyList>;
  /** `brine key -a <id> -y`; throws unless it printed `Key for minion <id> accepted.` */
  acceptKey(id: string): Promise<void>;
  /** `brine key -d <id> -y`; throws unless it printed `Key for minion <id> deleted.` */
  deleteKey(id: string): Promise<void>;
  /**
   * Waits until `brine key -L` lists `id` as pending. `brine key` only runs once
   * `<pki_dir>/minions_pre/<id>` exists, so the poll costs no Node start-ups.
   */
  waitForPendingKey(id: string, timeout?: number): Promise<void>;
  /**
   * `brine run -c <conf> --out json -t <timeout> <target> <fun> <args...>` (timeout in seconds,
   * default 15). Throws if the output is not JSON; the exit code is left to the caller.
   */
  run(
    target: string,
    fun: string,
    args?: string[],
    opts?: { timeout?: number; targetFlag?: string },
  ): Promise<BrineRunResult>;
  /** The master's log file (Salt's file format). */
  readLog(): string;
  /** Length of the log now: pass it to `waitForLog` to only look at what is logged after. */
  logMark(): number;
  /** Polls the log (from `since`) until `pattern` matches; fails at once if the master exits. */
  waitForLog(pattern: RegExp, opts?: { timeout?: number; since?: number }): Promise<RegExpMatchArray>;
  /** Kills the process group (SIGTERM, then SIGKILL) and removes the temp folder. Idempotent. */
  stop(): Promise<void>;
}

/** Starts `brine master -c <tempdir>/conf -l debug` on 127.0.0.1 with fresh ports; resolves once it listens. */
export async function startBrineMaster(opts: StartBrineMasterOptions): Promise<BrineMaster> {
  const { transport } = opts;
  const layout = makeLayout('master', 'brine-cli');
  const [publishPort, retPort] = [await freePort(), await freePort()];
  const config: SaltConfig = {
    root_dir: layout.rootDir,
    pki_dir: layout.pkiDir,
    cachedir: layout.cacheDir,
    sock_dir: layout.sockDir,
    log_file: layout.logFile,
    log_level_logfile: 'debug',
    transport,
    interface: '127.0.0.1',
    publish_port: publishPort,
    ret_port: retPort,
    auto_accept: false,
    // Seconds between rotation-dropfile checks (Salt's default is 60).
    loop_interval: 1,
    ...opts.extraConfig,
  };
  writeConfig(layout, config);

  if (!existsSync(BRINE_BIN)) throw new Error(`${BRINE_BIN} is missing: run \`npx tsc -b\` first`);
  const daemon: Daemon = spawnDaemon(
    process.execPath,
    [BRINE_BIN, 'master', '-c', layout.confDir, '-l', 'debug'],
    layout.consoleFile,
  );
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopGroup(daemon.pgid);
    removeLayout(layout);
  };
  const readLog = (): string => readText(layout.logFile);
  const waitForLog = (
    pattern: RegExp,
    { timeout = 30_000, since = 0 }: { timeout?: number; since?: number } = {},
  ): Promise<RegExpMatchArray> =>
    waitFor(
      () => {
        const match = readLog().slice(since).match(pattern);
        if (match) return match;
        exitedEarly(daemon, 'brine master', layout.consoleFile);
        return undefined;
      },
      { timeout, interval: 100, what: `brine master log to match ${pattern}` },
    );

  try {
    // Logged once both servers listen and the control socket is up, so no port probe is needed.
    await waitForLog(/Brine master '[^']*' listening over/, { timeout: opts.readyTimeout ?? 60_000 });
  } catch (err) {
    await stop();
    throw err;
  }

  const {
    exec: key,
    listKeys,
    acceptKey,
    deleteKey,
  } = keyCliCommands('brine key', (args) => brine(['key', '-c', layout.confDir, ...args]));

  return {
    transport,
    rootDir: layout.rootDir,
    confDir: layout.confDir,
    pkiDir: layout.pkiDir,
    cacheDir: layout.cacheDir,
    sockDir: layout.sockDir,
    logFile: layout.logFile,
    publishPort,
    retPort,
    pgid: daemon.pgid,
    config,
    key,
    listKeys,
    acceptKey,
    deleteKey,
    async waitForPendingKey(id, timeout = 60_000) {
      const pendingFile = join(layout.pkiDir, 'minions_pre', id);
      await waitFor(
        async () => {
          exitedEarly(daemon, 'brine master', layout.consoleFile);
          return existsSync(pendingFile) && (await listKeys()).minions_pre.includes(id);
        },
        { timeout, interval: 100, what: `minion ${id} to appear in pending keys (brine key -L)` },
      );
    },
    async run(target, fun, args = [], runOpts = {}) {
      const timeout = runOpts.timeout ?? 15;
      const flag = runOpts.targetFlag ? [runOpts.targetFlag] : [];
      const argv = ['run', '-c', layout.confDir, '--out', 'json', '-t', String(timeout), ...flag, target, fun, ...args];
      const res = await brine(argv, (timeout + 30) * 1000);
      try {
        return { ...res, returns: parseJsonOutput(res.stdout) };
      } catch {
        throw new Error(`brine ${argv.join(' ')} exited ${res.code}; stdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
      }
    },
    readLog,
    logMark: () => readLog().length,
    waitForLog,
    stop,
  };
}
