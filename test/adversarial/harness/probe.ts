import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../interop/harness/wait.js';
import { NODE_FLAGS, type MasterProcess } from './daemons.js';

export interface Sample {
  t: number;
  ms: number;
  error?: string;
}

export interface Probe {
  id: string;
  pid: number;
  child: ChildProcess;
  samples: Sample[];
  jobs: Array<{ fun: string; jid: string }>;
  log: string[];
  alive(): boolean;
  stop(): Promise<void>;
}

const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));

/** Forks the latency probe (a legitimate minion process), accepts its key on `master`, waits for its first sample. */
export async function startProbe(master: MasterProcess, id: string): Promise<Probe> {
  const root = mkdtempSync(join(tmpdir().length <= 40 ? tmpdir() : '/tmp', 'brine-adv-probe-'));
  const child = fork(PROBE, [], {
    execArgv: NODE_FLAGS,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      PROBE_ID: id,
      PROBE_ROOT: root,
      PROBE_TRANSPORT: master.transport,
      PROBE_MASTER_PORT: String(master.retPort),
      PROBE_PUBLISH_PORT: String(master.publishPort),
    },
  });
  const probe: Probe = {
    id,
    pid: child.pid!,
    child,
    samples: [],
    jobs: [],
    log: [],
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (probe.alive()) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ type: 'stop' });
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (probe.alive()) child.kill('SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  child.on('message', (m: { type: string } & Record<string, unknown>) => {
    if (m.type === 'sample') probe.samples.push(m as unknown as Sample);
    else if (m.type === 'job') probe.jobs.push({ fun: String(m.fun), jid: String(m.jid) });
    else if (m.type === 'log') probe.log.push(String(m.line));
  });
  await master.accept(id);
  await waitFor(
    () => {
      if (!probe.alive()) throw new Error(`probe ${id} exited (${child.exitCode}): ${probe.log.join('\n')}`);
      return probe.samples.length > 0;
    },
    { timeout: 60_000, interval: 50, what: `probe ${id} to sign in and sample` },
  );
  return probe;
}
