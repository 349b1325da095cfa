// Classes 5 (one big return) and 8 (heavy valid requests) of issue 10: accepted minions that send
// a lot of valid data.
import type { AttackOutcome } from '../harness/run-case.js';
import { startBrineMinion, type BrineMinion } from '../../interop/harness/brine-minion.js';
import { SUITE_BOUNDS } from '../harness/env.js';
import { MiB } from '../harness/stats.js';
import { MASTER_DEFAULTS } from '@brine/core';

/** The master's complexity limits for one `_minion_event` (the suite's masters use the defaults). */
const MAX_EVENTS = MASTER_DEFAULTS.minion_event_max_events;
const MAX_KEYS = MASTER_DEFAULTS.minion_event_max_keys;
import { ALL, type AdversarialCase } from './types.js';
import type { Env } from '../harness/env.js';

async function acceptedMinion(env: Env, id: string): Promise<BrineMinion> {
  const m = startBrineMinion({
    transport: env.transport,
    id,
    masterPort: env.master.retPort,
    publishPort: env.master.publishPort,
    // As an operator configures both ends: the minion knows the master's limit.
    extraConfig: { max_message_size: SUITE_BOUNDS.max_message_size },
  });
  await env.master.accept(id);
  await m.started;
  return m;
}

export const bigReturn: AdversarialCase = {
  name: "one big return does not break brine run '*'",
  what:
    "`brine run '*' test.echo hello` while four accepted minions answer test.echo with 9 MiB (over " +
    'max_message_size 8 MiB: the minion sends an error return saying so instead) and 3 × 3 MiB (together over the ' +
    "8 MiB control-socket frame: the largest replaced by a line): every other minion's return is shown, and the " +
    '9 MiB one as a clear line.',
  transports: ALL,
  rssAllowance: 3 * SUITE_BOUNDS.max_message_size + 48 * MiB, // the returns it legitimately holds, incl. the refused 9 MiB one libzmq receives whole
  async attack(env): Promise<AttackOutcome> {
    const { transport, master } = env;
    const sizes = [9 * MiB, 3 * MiB, 3 * MiB, 3 * MiB];
    const mouths: BrineMinion[] = [];
    const failures: string[] = [];
    try {
      for (const [i, size] of sizes.entries()) {
        const m = await acceptedMinion(env, `bigmouth${i}-${transport}`);
        m.minion.functions.register('test.echo', () => 'x'.repeat(size));
        mouths.push(m);
      }
      const res = await master.run('*', 'test.echo', ['hello'], 15);
      const returns = res.returns ?? {};
      const legitOk = returns[env.minion.id] === 'hello' && returns[env.probe.id] === 'hello';
      if (!legitOk)
        failures.push(
          `brine run '*': legit returns missing (exit ${res.code}, stderr ${res.stderr.trim().slice(0, 200)})`,
        );
      const over = returns[mouths[0]!.id];
      if (typeof over !== 'string' || !/^The return of \d+ bytes exceeds max_message_size/.test(over))
        failures.push(
          `the 9 MiB return shows as ${JSON.stringify(String(over)).slice(0, 80)}, not the minion's error line`,
        );
      const shown = mouths.map((m) => {
        const v = returns[m.id];
        return typeof v === 'string'
          ? v.startsWith('xxxx')
            ? `${(v.length / MiB).toFixed(0)}MiB`
            : v.slice(0, 60)
          : String(v).slice(0, 60);
      });
      return {
        counts: { exit: res.code, legit: legitOk ? 'hello' : 'missing', bigmouths: shown.join(' | ') },
        failures,
      };
    } finally {
      for (const m of mouths) await m.stop();
      for (const m of mouths) await master.key(['-d', m.id, '-y']);
    }
  },
};

export const eventFlood: AdversarialCase = {
  name: 'heavy valid _minion_event flood (fairness)',
  what:
    'an accepted minion sends, back to back for 5 s, `_minion_event` requests at the complexity limits ' +
    '(`minion_event_max_events` events, `minion_event_max_keys` data keys in all, the defaults): none is refused, and ' +
    'the other minions keep their latency (fair service between minions).',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { transport } = env;
    const heavy = await acceptedMinion(env, `heavy-${transport}`);
    let sent = 0;
    let refused = 0;
    try {
      const keysEach = Math.floor(MAX_KEYS / MAX_EVENTS);
      const events = Array.from({ length: MAX_EVENTS }, (_, i) => ({
        tag: `salt/minion/${heavy.id}/flood/${i}`,
        data: Object.fromEntries(Array.from({ length: keysEach }, (_, k) => [`k${k}`, `value-${i}-${k}`])),
      }));
      const t0 = Date.now();
      // Four at once, as a pipelining minion would.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (Date.now() - t0 < 5000) {
            try {
              await heavy.minion.request('_minion_event', { events }, { timeout: 10_000 });
            } catch {
              refused++;
            }
            sent++;
          }
        }),
      );
    } finally {
      await heavy.stop();
      await env.master.key(['-d', heavy.id, '-y']);
    }
    const failures = refused > 0 ? [`${refused} valid _minion_event requests refused`] : [];
    return {
      counts: {
        requests: sent,
        events: sent * MAX_EVENTS,
        keysPerRequest: MAX_EVENTS * Math.floor(MAX_KEYS / MAX_EVENTS),
        refused,
      },
      failures,
    };
  },
};
