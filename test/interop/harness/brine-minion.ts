// A Brine minion run in-process through the library (createMinion + FsKeyStore + the Node Salt
// crypto suite + the three transports), with its log and sign-in transitions recorded so a test can
// wait for them and print them when it fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, formatRecord } from '@brine/contracts';
import { createMinion, type AuthStateName, type AuthTransition, type Minion, type MinionConfig } from '@brine/core';
import { FsKeyStore, nodeGrains } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';
import type { SaltTransport } from './layout.js';
import { waitFor } from './wait.js';

export interface StartBrineMinionOptions {
  transport: SaltTransport;
  id: string;
  /** The master's ret_port. */
  masterPort: number;
  /** The master's publish_port. */
  publishPort: number;
  /** Merged last over the defaults below. */
  extraConfig?: Partial<MinionConfig>;
}

export interface BrineMinion {
  minion: Minion;
  id: string;
  rootDir: string;
  pkiDir: string;
  /** Every sign-in state change, in order. */
  transitions: AuthTransition[];
  /**
   * `minion.start()`: resolves once signed in (through `pending` while the key waits), connected
   * to the publisher and the start event is sent. Started by `startBrineMinion`.
   */
  started: Promise<void>;
  /** Log records so far, in Salt's console format. */
  logText(): string;
  /** The ERROR and CRITICAL records so far (console format). */
  errors(): string[];
  /** Number of transitions so far: pass it to `waitForAuth` to wait for a later one. */
  authMark(): number;
  /** Waits for a transition to `state` at index >= `since`. */
  waitForAuth(state: AuthStateName, opts?: { timeout?: number; since?: number }): Promise<AuthTransition>;
  /** Closes the minion and removes its temp folder. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a Brine minion (`minion.start()` runs in the background; see `started`). */
export function startBrineMinion(opts: StartBrineMinionOptions): BrineMinion {
  const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  const rootDir = mkdtempSync(join(base, 'brine-lib-minion-'));
  const pkiDir = join(rootDir, 'pki');
  const lines: string[] = [];
  const errors: string[] = [];
  const logger = createLogger({
    level: 'debug',
    name: `brine.minion.${opts.id}`,
    sink: (record) => {
      const line = `${new Date(record.time).toISOString()} ${record.name} ${formatRecord(record)}`;
      lines.push(line);
      if (record.level === 'error' || record.level === 'critical') errors.push(line);
    },
  });
  const minion = createMinion(
    {
      id: opts.id,
      transport: opts.transport,
      master: '127.0.0.1',
      master_port: opts.masterPort,
      publish_port: opts.publishPort,
      pki_dir: pkiDir,
      cachedir: join(rootDir, 'cache'),
      sock_dir: join(rootDir, 'sock'),
      acceptance_wait_time: 1,
      acceptance_wait_time_max: 2,
      ...opts.extraConfig,
    },
    {
      transports: [zmqTransport(), tcpTransport(), wsTransport()],
      suite: createNodeSaltSuite(),
      keyStore: new FsKeyStore(pkiDir),
      logger,
      // The host's core grains, as `brine minion` computes them (os, kernel, ip4_interfaces, ...).
      grains: nodeGrains({ id: opts.id, master: '127.0.0.1', enable_fqdns_grains: false }),
    },
  );
  const transitions: AuthTransition[] = [];
  minion.events.on('auth', (t) => transitions.push(t));
  const started = minion.start();
  started.catch(() => undefined); // observed by the test; never an unhandled rejection

  let stopped = false;
  return {
    minion,
    id: opts.id,
    rootDir,
    pkiDir,
    transitions,
    started,
    logText: () => lines.join('\n'),
    errors: () => [...errors],
    authMark: () => transitions.length,
    waitForAuth(state, { timeout = 60_000, since = 0 } = {}) {
      return waitFor(() => transitions.slice(since).find((t) => t.to === state), {
        timeout,
        interval: 50,
        what: `Brine minion ${opts.id} to reach '${state}' (transitions: ${transitions.map((t) => t.to).join(' -> ')})`,
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await minion.close();
      if (process.env.BRINE_INTEROP_KEEP === '1') {
        writeFileSync(join(rootDir, 'minion.log'), lines.join('\n'));
      } else {
        rmSync(rootDir, { recursive: true, force: true });
      }
    },
  };
}
