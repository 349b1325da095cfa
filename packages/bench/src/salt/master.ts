/** A real salt-master on 127.0.0.1 in a temporary root_dir (as test/interop/harness does), auto_accept on. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TransportName } from '../results.js';
import { LOOPBACK } from '../transports.js';
import { freePort, waitForPorts } from './ports.js';
import type { SaltVenv } from './venv.js';

export interface SaltMaster {
  retPort: number;
  publishPort: number;
  confFile: string;
  pid: number;
  stop(): Promise<void>;
}

/** salt-master's `worker_threads` default (3008 turns it into one catch-all pool of that many MWorkers). */
export const SALT_DEFAULT_WORKER_THREADS = 5;

const groups = new Set<number>();
let hooked = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const pgid of groups) killGroup(pgid, 'SIGKILL');
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startSaltMaster(
  venv: SaltVenv,
  transport: TransportName,
  workerThreads: number,
): Promise<SaltMaster> {
  hookExit();
  const root = mkdtempSync(join(tmpdir(), 'brine-bench-salt-'));
  for (const d of ['conf', 'pki', 'cache', 'sock', 'run', 'log']) mkdirSync(join(root, d), { recursive: true });
  const [publishPort, retPort] = [await freePort(), await freePort()];
  const config: Record<string, unknown> = {
    root_dir: root,
    conf_file: join(root, 'conf', 'master'),
    pki_dir: join(root, 'pki'),
    cachedir: join(root, 'cache'),
    sock_dir: join(root, 'sock'),
    pidfile: join(root, 'run', 'salt-master.pid'),
    log_file: join(root, 'log', 'master.log'),
    key_logfile: join(root, 'log', 'key.log'),
    log_level_logfile: 'warning',
    user: userInfo().username,
    transport,
    interface: LOOPBACK,
    publish_port: publishPort,
    ret_port: retPort,
    worker_threads: workerThreads,
    auto_accept: true,
    file_roots: { base: [join(root, 'srv', 'salt')] },
    pillar_roots: { base: [join(root, 'srv', 'pillar')] },
    // Salt 3008's worker pools break tcp/ws _auth (see test/interop/harness/master.ts). On zeromq
    // they stay on (Salt's default: one pool of 1 worker for _auth, the rest for everything else).
    ...(transport === 'zeromq' ? {} : { worker_pools_enabled: false }),
  };
  const confFile = join(root, 'conf', 'master');
  writeFileSync(
    confFile,
    Object.entries(config)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('\n') + '\n',
  );
  const consoleFile = join(root, 'log', 'console');
  const fd = openSync(consoleFile, 'a');
  const child = spawn(join(venv.path, 'bin', 'salt-master'), ['-c', join(root, 'conf'), '-l', 'warning'], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.on('error', () => undefined);
  const pid = child.pid ?? 0;
  groups.add(pid);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(timer);
    killGroup(pid, 'SIGKILL'); // the leader is gone; make sure no worker outlives it
    groups.delete(pid);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitForPorts([retPort, publishPort], 60_000, () => child.exitCode === null && child.signalCode === null);
  } catch (error) {
    let output = '';
    try {
      output = readFileSync(consoleFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      // no console output
    }
    await stop();
    throw Object.assign(error as Error, { message: `${(error as Error).message}\n${output}` });
  }
  return { retPort, publishPort, confFile, pid, stop };
}
