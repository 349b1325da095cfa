// Pins the facts test/interop/README.md ("Facts for the Brine implementation") states about what a
// real salt-minion needs from its master, by running real Salt with one injected fault
// (fixtures/fault_master.py). Slow (several waits for something that must NOT happen), so opt-in:
// BRINE_SALT_FACTS=1 pnpm test:interop
import { join } from 'node:path';
import { describe, test, type ExpectStatic } from 'vitest';
import {
  REPO_ROOT,
  run,
  saltBin,
  saltVersions,
  startSaltMaster,
  startSaltMinion,
  type SaltMaster,
  type SaltMinion,
  type SaltVenv,
} from './harness/index.js';
import { roundTrip } from './roundtrip.js';

const FIXTURES = join(REPO_ROOT, 'test', 'interop', 'fixtures');
const enabled = process.env.BRINE_SALT_FACTS === '1';

/** Master (optionally with a fault) + minion on zeromq, key accepted; runs `body`, then stops both. */
async function withPair(
  venv: SaltVenv,
  id: string,
  fault: string | undefined,
  body: (master: SaltMaster, minion: SaltMinion) => Promise<void>,
): Promise<void> {
  const master = await startSaltMaster({
    venv,
    transport: 'zeromq',
    // Extra workers: a hung handler blocks the worker that runs it.
    extraConfig: { worker_threads: 4 },
    ...(fault ? { pythonWrapper: join(FIXTURES, 'fault_master.py'), env: { BRINE_FAULT: fault } } : {}),
  });
  let minion: SaltMinion | undefined;
  try {
    minion = await startSaltMinion({
      venv,
      transport: 'zeromq',
      masterPort: master.retPort,
      publishPort: master.publishPort,
      id,
    });
    await master.waitForPendingKey(id);
    await master.acceptKey(id);
    await body(master, minion);
  } finally {
    await Promise.all([minion?.stop(), master.stop()]);
  }
}

const NO_RESPONSE = /Minion did not return/;

async function expectNotReady(expect: ExpectStatic, minion: SaltMinion, ms: number): Promise<void> {
  await expect(minion.waitUntilReady(ms)).rejects.toThrow(/timed out/);
}

for (const venv of saltVersions().filter((v) => v.major >= 3007)) {
  // The facts are pinned for 3008 and 3007 (README, last section); 3006 LTS is covered by the direction tests.
  describe.skipIf(!enabled).concurrent(`${venv.label}: what a real salt-minion needs from a master`, () => {
    test('(a) _auth accept reply: signed clear envelope, inner key order', async ({ expect }) => {
      await withPair(venv, `facts-${venv.major}-auth`, undefined, async (_master, minion) => {
        await minion.waitUntilReady();
        const probe = await run(
          saltBin(venv, 'python'),
          [join(FIXTURES, 'auth_probe.py'), join(minion.confDir, 'minion')],
          60_000,
        );
        expect(probe.code, probe.stderr).toBe(0);
        const out = JSON.parse(probe.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
        expect(out.request_keys).toEqual(['cmd', 'id', 'nonce', 'enc_algo', 'sig_algo', 'token', 'pub']);
        expect(out.reply_keys).toEqual(['enc', 'load', 'sig']);
        expect(out.load_keys).toEqual(['enc', 'pub_key', 'publish_port', 'token', 'aes', 'session', 'sig', 'nonce']);
        expect(out.load_types).toMatchObject({ aes: 'bytes', session: 'bytes', token: 'bytes', sig: 'bytes' });
        expect(out.nonce_echoed).toBe(true);
      });
    });

    // (b) The harness turns worker pools off for 3008 tcp/ws (3008.2 failed every pooled tcp/ws
    // _auth); 3008.4 fixed that.
    if (venv.major >= 3008) {
      for (const transport of ['tcp', 'ws'] as const) {
        test(`(b) ${transport} with worker_pools_enabled: true authenticates and runs jobs`, async ({ expect }) => {
          await roundTrip(expect, venv, transport, `facts-${venv.major}-${transport}-pools`, {
            worker_pools_enabled: true,
          });
        });
      }
    }

    test('(d) an unanswered _pillar keeps the minion from ever becoming ready', async ({ expect }) => {
      await withPair(venv, `facts-${venv.major}-pillar`, 'pillar_hang', async (master, minion) => {
        await minion.waitForLog(/Decrypting the current master AES key/, 60_000); // accepted, authenticated
        await expectNotReady(expect, minion, 20_000);
        const out = await master.salt(minion.id, 'test.ping', [], { timeout: 5 });
        expect(String(out[minion.id])).toMatch(NO_RESPONSE);
        expect(minion.readLog()).not.toMatch(/Executing command test\.ping/);
      });
    });

    test('(d) an unanswered _minion_event holds back the _return of a job that ran', async ({ expect }) => {
      await withPair(venv, `facts-${venv.major}-event`, 'event_hang', async (master, minion) => {
        await minion.waitUntilReady();
        const out = await master.salt(minion.id, 'test.ping', [], { timeout: 15 });
        expect(String(out[minion.id])).toMatch(NO_RESPONSE);
        expect(minion.readLog()).toMatch(/Returning information for job/);
        expect(master.readLog()).not.toMatch(/Got return from/);
      });
    });

    test('(d) a bare msgpack nil answers _minion_event / _register_resources', async ({ expect }) => {
      await withPair(venv, `facts-${venv.major}-nil`, 'event_nil', async (master, minion) => {
        await minion.waitUntilReady();
        expect(await master.salt(minion.id, 'test.ping', [], { timeout: 15 })).toEqual({ [minion.id]: true });
      });
    });
  });
}
