import type { SaltConfig } from '../../interop/harness/yaml.js';
import {
  minionUp,
  startMaster,
  startMinion,
  type MasterProcess,
  type MinionProcess,
  type Transport,
} from './daemons.js';
import { startProbe, type Probe } from './probe.js';
import { KiB, MiB } from './stats.js';

/**
 * The bounds every master of the suite runs with: small, so that floods of a few tens of MB prove
 * them. Salt-style names (sizes in bytes, times in seconds), as an operator writes them.
 */
export const SUITE_BOUNDS = {
  auth_max_message_size: 16 * KiB,
  max_message_size: 8 * MiB,
  inbound_budget: 8 * MiB, // at least max_message_size, or the master refuses to start (docs/limits.md)
  max_outbound_buffer: 512 * KiB,
  max_requests_in_flight: 16,
  message_deadline: 3,
  unauthenticated_timeout: 3,
  max_connections: 300,
  max_unauthenticated_connections: 100,
  max_pending_keys: 20,
  pending_key_rate: 5,
} satisfies SaltConfig;

/** RSS the master may add over its figure before an attack: the inbound budget plus room for Node's own heap growth. */
export const RSS_ALLOWANCE = SUITE_BOUNDS.inbound_budget + 44 * MiB;

/** One transport's world: a master, a real `brine minion` (liveness, job counts) and the latency probe. */
export interface Env {
  transport: Transport;
  master: MasterProcess;
  minion: MinionProcess;
  probe: Probe;
  /** Replaces `minion` (after a restart). */
  setMinion(m: MinionProcess): void;
  close(): Promise<void>;
}

export async function startEnv(transport: Transport): Promise<Env> {
  const master = await startMaster(transport, SUITE_BOUNDS);
  let minion: MinionProcess | undefined;
  let probe: Probe | undefined;
  try {
    minion = startMinion({
      id: `legit-${transport}`,
      transport,
      masterPort: master.retPort,
      publishPort: master.publishPort,
    });
    await master.accept(minion.id);
    await minionUp(minion);
    probe = await startProbe(master, `probe-${transport}`);
  } catch (err) {
    await probe?.stop();
    await minion?.stop();
    await master.stop();
    throw err;
  }
  const env: Env = {
    transport,
    master,
    minion,
    probe,
    setMinion(m) {
      env.minion = m;
    },
    async close() {
      await env.probe.stop();
      await env.minion.stop();
      await env.master.stop();
    },
  };
  return env;
}
