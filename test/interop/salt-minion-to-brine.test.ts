// Direction (b): a real salt-minion of each pinned release signs in to a Brine master (`brine master`
// from the CLI), on each transport: pending -> `brine key -a` -> `brine run <id> test.ping` /
// test.echo; then (c) `brine key -d` makes the Brine master rotate its AES key, the salt-minion's
// next request is refused, it signs in again and lands pending, `brine key -a`, and it notices the
// new AES key and answers jobs again.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { startBrineMaster, type BrineMaster } from './harness/brine.js';
import {
  groupMembers,
  logProblems,
  saltVersions,
  startSaltMinion,
  transportsOf,
  waitFor,
  type SaltMinion,
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
  console.log(`Salt minion -> Brine master wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** Non-ASCII on purpose: Latin-1, CJK and an astral-plane emoji. */
const ECHO = 'héllo wörld — 日本語 ✓ 🧂';

/**
 * The minion's keepalive, in minutes (Salt's `ping_interval`, an int): every minute the minion sends
 * a `minion_ping` event to its master. That is what makes a real minion notice that its key was
 * deleted: nothing is published to a minion without an accepted key, and a master pushes nothing on
 * rotation, so without a request of its own the minion would wait forever (README, direction (b)).
 */
const PING_INTERVAL_MINUTES = 1;

for (const venv of saltVersions()) {
  describe.concurrent(`${venv.label} minion -> Brine master`, () => {
    for (const transport of transportsOf(venv.major)) {
      test(`${transport}: (b) pending, brine key -a, brine run test.ping, test.echo; (c) brine key -d rotates, re-accept recovers`, async ({
        expect,
      }) => {
        const id = `salt-${venv.major}-${transport}`;
        const t0 = Date.now();
        const phases: string[] = [];
        const lap = (name: string): void => {
          phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        };
        let master: BrineMaster | undefined;
        let minion: SaltMinion | undefined;
        try {
          master = track(await startBrineMaster({ transport }));
          lap('master up');
          minion = track(
            await startSaltMinion({
              venv,
              transport,
              masterPort: master.retPort,
              publishPort: master.publishPort,
              id,
              extraConfig: { ping_interval: PING_INTERVAL_MINUTES, grains: { roles: ['salt-interop'] } },
            }),
          );

          // (b) pending, then accepted with `brine key`.
          await master.waitForPendingKey(id);
          lap('pending');
          expect((await master.listKeys()).minions).not.toContain(id);
          await master.acceptKey(id);
          await minion.waitUntilReady();
          lap('minion ready');

          const ping = await master.run(id, 'test.ping');
          expect(ping.returns).toEqual({ [id]: true });
          expect(ping.code).toBe(0);
          const echo = await master.run(id, 'test.echo', [ECHO]);
          expect(echo.returns).toEqual({ [id]: ECHO });
          expect(echo.code).toBe(0);
          lap('test.ping+echo');

          // The salt-minion sent its grains with _pillar at start: the Brine master's -G and -C
          // targets select it by grains, and the salt-minion's own matchers agree.
          const byGrain = await master.run('roles:salt-interop', 'test.ping', [], { targetFlag: '-G' });
          expect(byGrain.returns).toEqual({ [id]: true });
          const compound = await master.run(`G@roles:salt-interop and ${id}`, 'test.echo', ['42'], {
            targetFlag: '-C',
          });
          expect(compound.returns).toEqual({ [id]: 42 });
          const os = await master.run(`id:${id}`, 'grains.item', ['roles', 'kernel'], { targetFlag: '-G' });
          expect(os.returns).toEqual({ [id]: { roles: ['salt-interop'], kernel: 'Linux' } });
          const none = await master.run('roles:nobody', 'test.ping', [], { targetFlag: '-G', timeout: 5 });
          expect(none.code).toBe(2);
          lap('grains+compound');

          // (c) delete: `brine key` writes the rotation dropfile; the Brine master's maintenance loop
          // (loop_interval: 1) consumes it and rotates the AES key.
          const minionMark = minion.readLog().length;
          const masterMark = master.logMark();
          const dropfile = join(master.cacheDir, '.dfn');
          await master.deleteKey(id);
          await master.waitForLog(/Rotating AES key \(rotation dropfile\)/, { since: masterMark, timeout: 30_000 });
          await waitFor(() => !existsSync(dropfile), { timeout: 5_000, what: `${dropfile} to be consumed` });
          expect(await master.listKeys()).toMatchObject({ minions: [], minions_pre: [] });
          // The deleted minion is no longer targeted: nothing is published (salt's "No minions matched").
          const unmatched = await master.run(id, 'test.ping', [], { timeout: 5 });
          expect(unmatched.code).toBe(2);
          expect(unmatched.stdout).toMatch(/No minions matched the target/);
          lap('deleted+rotated');

          // The minion's next request (its ping_interval event) is refused ("bad load": its key is
          // gone), which makes it sign in again (crypt.AsyncAuth), and its key lands in pending.
          await master.waitForPendingKey(id, 150_000);
          expect((await master.listKeys()).minions).not.toContain(id);
          lap('pending again');
          await master.acceptKey(id);
          // Its next sign-in is accepted: it logs the key change (crypt.py "The master's aes key has
          // changed."), then resends the refused request.
          await waitFor(() => /The master's aes key has changed/.test(minion!.readLog().slice(minionMark)), {
            timeout: 60_000,
            what: `salt-minion ${id} to sign in again with the rotated AES key`,
          });
          lap('re-authenticated');

          const again = await master.run(id, 'test.ping', [], { timeout: 30 });
          expect(again.returns).toEqual({ [id]: true });
          expect(again.code).toBe(0);
          const echoAgain = await master.run(id, 'test.echo', [ECHO]);
          expect(echoAgain.returns).toEqual({ [id]: ECHO });
          lap('test.ping+echo again');

          expect(logProblems(minion.readLog())).toEqual([]);
          expect(logProblems(master.readLog())).toEqual([]);
        } finally {
          await Promise.all([minion?.stop(), master?.stop()]);
          lap('stopped');
          console.log(`[${venv.label} minion -> Brine ${transport}] ${phases.join(', ')}`);
        }
        expect(groupMembers(master.pgid)).toEqual([]);
        expect(groupMembers(minion.pgid)).toEqual([]);
      });
    }
  });
}
