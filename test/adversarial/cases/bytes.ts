// Class 1 and 7 of issue 10: what unauthenticated bytes and connections can make the master hold.
import type { AttackOutcome } from '../harness/run-case.js';
import { SUITE_BOUNDS } from '../harness/env.js';
import { fdsOf } from '../harness/procfs.js';
import { MiB } from '../harness/stats.js';
import { connectionFlood, nonReaders, trickle } from '../attackers/floods.js';
import { ALL, STREAM, type AdversarialCase } from './types.js';

const DEADLINE_MS = SUITE_BOUNDS.message_deadline * 1000;

export const partialTrickle: AdversarialCase = {
  name: 'partial frames, trickled (unauthenticated)',
  what:
    '16 connections each start a 12 KiB message (under auth_max_message_size) and trickle 4 bytes every 100 ms: ' +
    'each is dropped at message_deadline (absolute, not re-armed by bytes); zeromq: 8 peers start a 6 MiB frame ' +
    '(under max_message_size) and trickle, which libzmq holds.',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { transport, master } = env;
    if (transport === 'zeromq') {
      const r = await trickle(transport, master.retPort, { n: 8, declared: 6 * MiB, head: 256 * 1024, holdMs: 5000 });
      return {
        counts: {
          conns: r.connections,
          declaredMB: r.declaredBytes / MiB,
          sentKB: Math.round(r.sentBytes / 1024),
          dropped: r.dropped,
        },
      };
    }
    const r = await trickle(transport, master.retPort, {
      n: 16,
      declared: 12 * 1024,
      head: 1024,
      holdMs: DEADLINE_MS + 4000,
    });
    const failures: string[] = [];
    if (r.dropped !== r.connections)
      failures.push(`${r.connections - r.dropped} trickling connections outlived message_deadline + 4 s`);
    if (r.maxDropMs > DEADLINE_MS + 2000)
      failures.push(`slowest drop after ${r.maxDropMs} ms (deadline ${DEADLINE_MS} ms)`);
    return {
      counts: {
        conns: r.connections,
        sentKB: Math.round(r.sentBytes / 1024),
        dropped: r.dropped,
        maxDropMs: r.maxDropMs,
      },
      failures,
    };
  },
};

export const oversizedPreAuth: AdversarialCase = {
  name: 'oversized declared length (unauthenticated)',
  what:
    '16 connections each declare a 60 MB message and push up to 4 MB of it: refused at the header ' +
    '(auth_max_message_size 16 KiB; zeromq: max_message_size, libzmq drops the peer), 64 MB attempted.',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { transport, master } = env;
    const r = await trickle(transport, master.retPort, { n: 16, declared: 60_000_000, head: 4 * MiB, holdMs: 3000 });
    const failures: string[] = [];
    if (r.dropped !== r.connections)
      failures.push(`${r.connections - r.dropped} of ${r.connections} oversized senders were kept`);
    return {
      counts: {
        conns: r.connections,
        declaredMB: Math.round(r.declaredBytes / MiB),
        acceptedByKernelMB: (r.sentBytes / MiB).toFixed(1),
        dropped: r.dropped,
        maxDropMs: r.maxDropMs,
      },
      failures,
    };
  },
};

export const nonReader: AdversarialCase = {
  name: 'replies nobody reads',
  what:
    'clients that send thousands of requests and never read: tcp/ws 4 × 4000 small `_auth`-less requests, zeromq ' +
    '4 × 4000 requests behind a 1000-byte routing envelope (echoed in front of each reply); the master stops ' +
    'reading (max_requests_in_flight, max_outbound_buffer) or drops replies; tcp/ws close each connection at its ' +
    'max_unauthenticated_refusals-th refusal (counted from /metrics: a paused socket does not see the FIN).',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { transport, master } = env;
    const message = { enc: 'clear', load: { cmd: '_nothing', pad: 'p'.repeat(512) }, version: 3 };
    const envelope = transport === 'zeromq' ? [new Uint8Array(1000).fill(0x61)] : undefined;
    const refusals = () => master.metric('brine_master_refusals_total');
    const closes = () => master.metric('brine_transport_refusals_total', { code: 'ERR_TOO_MANY_REFUSALS' });
    const [refusals0, closes0] = [await refusals(), await closes()];
    const r = await nonReaders(transport, master.retPort, {
      n: 4,
      count: 4000,
      message,
      ...(envelope ? { envelope } : {}),
      holdMs: 5000,
    });
    const closedByMaster = (await closes()) - closes0;
    const failures: string[] = [];
    // tcp/ws: an unauthenticated connection that keeps being refused is closed (max_unauthenticated_refusals).
    if (transport !== 'zeromq' && closedByMaster < r.connections)
      failures.push(
        `${r.connections - closedByMaster} of ${r.connections} refused non-readers not closed by the master`,
      );
    return {
      failures,
      counts: {
        conns: r.connections,
        requests: r.requests,
        writtenMB: (r.bytesQueued / MiB).toFixed(1),
        // A paused socket does not see the master's FIN: count what the master says it did.
        refusedByMaster: (await refusals()) - refusals0,
        closedByMaster,
        closeSeen: r.dropped,
      },
    };
  },
};

export const connFlood: AdversarialCase = {
  name: 'connection flood (slowloris)',
  what:
    '400 connections that drip one byte every 500 ms against max_unauthenticated_connections 100 / max_connections 300: ' +
    'the ones over the cap are closed at once, the rest expire (unauthenticated_timeout); meanwhile `brine run` ' +
    'reaches the control socket and the real minion answers.',
  transports: STREAM,
  async attack(env): Promise<AttackOutcome> {
    const { transport, master, minion } = env;
    const fdsBefore = fdsOf(master.pid) ?? 0;
    let fdsPeak = fdsBefore;
    const fdTimer = setInterval(() => (fdsPeak = Math.max(fdsPeak, fdsOf(master.pid) ?? 0)), 50);
    let during = '';
    const r = await connectionFlood(transport, master.retPort, { n: 400, holdMs: 5000 }, async () => {
      const res = await master.run(minion.id, 'test.ping', [], 10);
      during = res.returns?.[minion.id] === true ? 'ok' : `exit ${res.code} ${res.stdout.trim()} ${res.stderr.trim()}`;
    });
    clearInterval(fdTimer);
    const failures: string[] = [];
    if (during !== 'ok') failures.push(`brine run during the flood: ${during}`);
    const cap = SUITE_BOUNDS.max_unauthenticated_connections;
    if (fdsPeak - fdsBefore > cap + 20) failures.push(`master held ${fdsPeak - fdsBefore} more fds (cap ${cap})`);
    return {
      counts: {
        attempted: r.attempted,
        closedByMaster: r.refused,
        openAtEnd: r.heldOpen,
        fdsBefore,
        fdsPeak,
        brineRunDuring: during,
      },
      failures,
    };
  },
};
