// Direction (a): a Brine minion (the library, in-process) signs in to a real salt-master of each
// pinned release, on each transport: pending -> `salt-key -a` -> `salt <id> test.ping` / test.echo;
// then (c) `salt-key -d` makes the real master rotate its AES key, the Brine minion's next request
// is refused, it signs in again and lands pending, `salt-key -a`, and jobs work again.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { startBrineMinion, type BrineMinion } from './harness/brine-minion.js';
import {
  groupMembers,
  KNOWN_SALT_ERRORS,
  logProblems,
  saltVersions,
  startSaltMaster,
  transportsOf,
  waitFor,
} from './harness/index.js';

const started = Date.now();
/** Everything started and not yet stopped: stopped in afterAll too, in case a test timed out mid-way. */
const running = new Set<{ stop(): Promise<void> }>();
function track<T extends { stop(): Promise<void> }>(daemon: T): T {
  running.add(daemon);
  return daemon;
}
afterAll(async () => {
  await Promise.all([...running].map((daemon) => daemon.stop()));
  console.log(`Brine minion -> Salt master wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** Non-ASCII on purpose: Latin-1, CJK and an astral-plane emoji (4 bytes in UTF-8, 2 UTF-16 units). */
const ECHO = 'héllo wörld — 日本語 ✓ 🧂';

/** Resolves with `promise`, or rejects after `ms` naming `what`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

for (const venv of saltVersions()) {
  describe.concurrent(`Brine minion -> ${venv.label} master`, () => {
    for (const transport of transportsOf(venv.major)) {
      test(`${transport}: (a) pending, salt-key -a, test.ping, test.echo; (c) salt-key -d rotates, re-accept recovers`, async ({
        expect,
      }) => {
        const id = `brine-${venv.major}-${transport}`;
        const t0 = Date.now();
        const phases: string[] = [];
        const lap = (name: string): void => {
          phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        };
        // loop_interval: the master's maintenance loop checks the rotation dropfile this often (s).
        const master = track(await startSaltMaster({ venv, transport, extraConfig: { loop_interval: 1 } }));
        lap('master up');
        let brine: BrineMinion | undefined;
        try {
          brine = track(
            startBrineMinion({
              transport,
              id,
              masterPort: master.retPort,
              publishPort: master.publishPort,
              extraConfig: { grains: { roles: ['brine-interop'], tier: 2 } },
            }),
          );

          // (a) pending, then accepted with salt-key.
          await master.waitForPendingKey(id);
          await brine.waitForAuth('pending');
          lap('pending');
          expect((await master.listKeys()).minions).not.toContain(id);
          await master.acceptKey(id);
          await within(brine.started, 60_000, `Brine minion ${id} to start after its key was accepted`);
          expect(brine.minion.auth?.state).toBe('authenticated');
          expect(brine.transitions.map((t) => t.to)).toContain('pending');
          lap('authenticated');

          expect(await master.salt(id, 'test.ping')).toEqual({ [id]: true });
          expect(await master.salt(id, 'test.echo', [ECHO])).toEqual({ [id]: ECHO });
          lap('test.ping+echo');

          // Grains reached the master with the _pillar request (its minion data cache): -G and -C
          // targets select the Brine minion, and the minion's own matcher agrees. Types survive
          // (salt yamlifies `42` before publishing; a salt-minion returns the int).
          const kernel = brine.minion.grains.kernel;
          expect(kernel).toBe('Linux');
          expect(
            await master.salt('roles:brine-interop', 'grains.item', ['roles', 'id'], { targetFlag: '-G' }),
          ).toEqual({
            [id]: { roles: ['brine-interop'], id },
          });
          const arg = await master.salt(`${id} and G@kernel:Linux and G@tier:2`, 'test.arg', ['42', '{a: 1}'], {
            targetFlag: '-C',
          });
          expect((arg[id] as { args: unknown }).args).toEqual([42, { a: 1 }]);
          lap('grains+compound');

          // (c) delete: salt-key writes the rotation dropfile; the master's maintenance loop
          // consumes it (removes it, then rotates the AES key) within loop_interval.
          const aesBefore = brine.minion.auth?.creds?.aes;
          expect(aesBefore).toBeTruthy();
          const dropfile = join(String(master.config.cachedir), '.dfn');
          await master.deleteKey(id);
          await waitFor(() => !existsSync(dropfile), {
            timeout: 30_000,
            what: `the salt-master to consume its rotation dropfile ${dropfile}`,
          });
          expect(await master.listKeys()).toMatchObject({ minions: [], minions_pre: [] });
          lap('deleted+rotated');

          // The master pushes nothing on rotation; a minion learns on its next message. Here: an
          // event (as a beacon would send). The master refuses it (its key is gone), the minion signs
          // in again and waits in pending; the event goes through once the key is accepted again.
          const mark = brine.authMark();
          const event = brine.minion.fireMaster(`salt/minion/${id}/interop`, { text: ECHO }, { timeout: 120_000 });
          event.catch(() => undefined);
          await master.waitForPendingKey(id, 90_000);
          await brine.waitForAuth('pending', { since: mark });
          expect((await master.listKeys()).minions).not.toContain(id);
          lap('pending again');
          await master.acceptKey(id);
          await within(event, 60_000, `the event sent across the rotation to be answered`);
          await brine.waitForAuth('authenticated', { since: mark, timeout: 10_000 });
          const aesAfter = brine.minion.auth?.creds?.aes;
          expect(aesAfter).toBeTruthy();
          expect(aesAfter).not.toBe(aesBefore);
          lap('re-authenticated');

          expect(await master.salt(id, 'test.ping')).toEqual({ [id]: true });
          expect(await master.salt(id, 'test.echo', [ECHO])).toEqual({ [id]: ECHO });
          lap('test.ping+echo again');

          expect(logProblems(master.readLog())).toEqual([]);
          // The Brine minion logs Salt's ERROR for the pending state (as a salt-minion does), nothing else.
          const pending = KNOWN_SALT_ERRORS.pendingKey!;
          expect(brine.errors().filter((line) => !pending.test(line))).toEqual([]);
        } catch (error) {
          console.log(
            `[${venv.label} ${transport}] Brine minion log:\n${brine?.logText().split('\n').slice(-60).join('\n')}`,
          );
          throw error;
        } finally {
          await Promise.all([brine?.stop(), master.stop()]);
          lap('stopped');
          console.log(`[Brine minion -> ${venv.label} ${transport}] ${phases.join(', ')}`);
        }
        expect(groupMembers(master.pgid)).toEqual([]);
      });
    }
  });
}
