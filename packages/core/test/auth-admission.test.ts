/**
 * Admission control for sign-in storms: past `auth_queue_max` sign-ins in flight the master
 * answers at once, signed, "busy, retry after N s" (`{ret: true, retry_after, nonce}`); Salt's own
 * minion code reads that as "retry", a Brine minion waits the hint and never gives up, and a
 * signed-in minion's requests are served while the storm runs.
 */
import { describe, expect, it } from 'vitest';
import { bytes, loads, silentLogger } from '@brine/contracts';
import {
  AuthAdmission,
  AuthServer,
  createMaster,
  MasterKeys,
  MemoryKeyStore,
  MinionKeys,
  SessionKeys,
  SharedKey,
  verifySignIn,
  type Dict,
  type KeyState,
  type Minion,
  createMinion,
} from '@brine/core';
import { createPooledSuite } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { storeWith, vectorPair } from './helpers/auth-fixtures.js';
import { runSaltChecks, saltPython } from './helpers/salt-python.js';

const suite = createNodeSaltSuite();
const masterPair = vectorPair('master');
const minionPair = vectorPair('minion');
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

describe('AuthAdmission', () => {
  it('lets maxInFlight in, refuses (and counts) the next, lets one in again after a leave', () => {
    const admission = new AuthAdmission({ maxInFlight: 2, retryDelay: 1, retryDelayMax: 30 });
    expect([admission.tryEnter(), admission.tryEnter(), admission.tryEnter()]).toEqual([true, true, false]);
    admission.leave();
    expect(admission.tryEnter()).toBe(true);
    expect(admission.stats()).toMatchObject({ inFlight: 2, peak: 2, admitted: 3, refused: 1, maxInFlight: 2 });
  });

  it('maxWait lowers the bound to what the measured rate serves in that time, never below 16', () => {
    let now = 0;
    const admission = new AuthAdmission({
      maxInFlight: 256,
      maxWait: 2,
      retryDelay: 1,
      retryDelayMax: 30,
      now: () => now,
    });
    // Before any measurement the rate is assumed to be maxInFlight per second: the count bound holds.
    expect(admission.limit()).toBe(256);
    // A slow master: 20 sign-ins complete per busy second, for a few seconds.
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 20; i++) {
        admission.tryEnter();
        admission.tryEnter();
        now += 50;
        admission.leave();
      }
    }
    expect(admission.stats().rate).toBeCloseTo(20, 0);
    expect(admission.limit()).toBeGreaterThanOrEqual(40);
    expect(admission.limit()).toBeLessThan(48);
    while (admission.tryEnter());
    expect(admission.stats().inFlight).toBe(admission.limit());
    const slow = new AuthAdmission({ maxInFlight: 256, maxWait: 0.01, retryDelay: 1, retryDelayMax: 30 });
    expect(slow.limit()).toBe(16);
  });

  it('0 means no bound', () => {
    const admission = new AuthAdmission({ maxInFlight: 0, retryDelay: 1, retryDelayMax: 30 });
    for (let i = 0; i < 1000; i++) expect(admission.tryEnter()).toBe(true);
  });

  it('delay hints spread the refused at the measured rate, jittered, capped at retryDelayMax', () => {
    let now = 0;
    const admission = new AuthAdmission({
      maxInFlight: 10,
      retryDelay: 1,
      retryDelayMax: 30,
      random: () => 0.5,
      now: () => now,
    });
    // 100 sign-ins complete in one busy second: the rate is then ~55/s (smoothed from 10/s).
    for (let i = 0; i < 100; i++) {
      admission.tryEnter();
      admission.tryEnter();
      now += 10;
      admission.leave();
    }
    const rate = admission.stats().rate;
    expect(rate).toBeCloseTo(55, 0);
    const hints = Array.from({ length: 200 }, () => admission.retryAfter());
    // Each refusal books the next slot: strictly later hints, about 1/rate apart, plus the jitter.
    for (let i = 1; i < hints.length; i++) expect(hints[i]!).toBeGreaterThan(hints[i - 1]!);
    expect(hints[0]).toBeCloseTo(1 + 1 / rate, 2);
    expect(hints[199]! - hints[0]!).toBeCloseTo(199 / rate, 1);
    const more = Array.from({ length: 5000 }, () => admission.retryAfter());
    expect(Math.max(...more)).toBe(30);
  });
});

/** A key store whose lookups wait until `open()`: sign-ins admitted stay in flight. */
class GatedStore extends MemoryKeyStore {
  private release: (() => void) | undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  override async getMinionKey(state: KeyState, id: string): Promise<string | undefined> {
    await this.gate;
    return super.getMinionKey(state, id);
  }
  open(): void {
    this.release!();
  }
}

async function gatedServer(authQueueMax: number) {
  const store = new GatedStore();
  await store.ensureKeyPair('master', async () => masterPair);
  const masterKeys = await MasterKeys.load(store, suite);
  const shared = new SharedKey(suite, masterKeys);
  const busy: number[] = [];
  const server = new AuthServer(
    {
      suite,
      store,
      masterKeys,
      shared,
      sessions: new SessionKeys(suite),
      logger: silentLogger,
      onBusy: ({ retryAfter }) => busy.push(retryAfter),
    },
    { publishPort: 4505, autoAccept: true, authQueueMax, authRetryDelay: 2, authRetryDelayMax: 30 },
  );
  return { server, store, busy };
}

const authLoad = (id: string, nonce: string): Dict => ({
  cmd: '_auth',
  id,
  nonce,
  enc_algo: 'OAEP-SHA1',
  sig_algo: 'PKCS1v15-SHA1',
  pub: minionPair.publicPem,
});

describe('AuthServer: the "busy, retry after" answer', () => {
  it('past auth_queue_max the answer is immediate, signed, {ret: true, retry_after, nonce}; admitted ones complete', async () => {
    const { server, store, busy } = await gatedServer(1);
    const first = server.handle(authLoad('m1', 'a'.repeat(32)), 3);
    const second = await server.handle(authLoad('m2', 'b'.repeat(32)), 3);
    expect(second.outcome).toBe('busy');
    const load = bytes.asBytes(second.reply.load as Uint8Array);
    expect(await suite.verify(suite.importPublicKey(masterPair.publicPem), load, second.reply.sig as Uint8Array)).toBe(
      true,
    );
    const inner = loads(load) as Dict;
    expect(inner).toMatchObject({ ret: true, nonce: 'b'.repeat(32) });
    expect(inner.retry_after).toBe(busy[0]);
    expect(inner.retry_after as number).toBeGreaterThanOrEqual(1);
    expect(server.admissionStats()).toMatchObject({ inFlight: 1, refused: 1, admitted: 1 });
    store.open();
    expect((await first).outcome).toBe('accept');
    expect(server.admissionStats()).toMatchObject({ inFlight: 0, refused: 1 });
  });

  it('a Brine minion reads it as busy with the hint; Salt’s own minion code (Python) reads it as "retry"', async (ctx) => {
    const { server, store } = await gatedServer(1);
    void server.handle(authLoad('m1', 'a'.repeat(32)), 3);
    const nonce = 'c'.repeat(32);
    const busy = await server.handle(authLoad('m2', nonce), 3);
    store.open();
    const minionStore = await storeWith('minion', minionPair);
    const keys = await MinionKeys.load(minionStore, suite);
    const outcome = await verifySignIn(
      {
        suite,
        keys,
        id: 'm2',
        encAlgo: 'OAEP-SHA1',
        sigAlgo: 'PKCS1v15-SHA1',
        pinnedMasterPem: masterPair.publicPem,
        clearToken: new Uint8Array(0),
      },
      { load: {}, nonce, token: undefined },
      busy.reply,
    );
    expect(outcome).toMatchObject({ kind: 'busy', verified: true });
    expect((outcome as { retryAfter: number }).retryAfter).toBe(
      (loads(busy.reply.load as Uint8Array) as Dict).retry_after,
    );

    const found = saltPython();
    if (found.python === undefined) return ctx.skip(found.reason);
    const reply = { load: b64(busy.reply.load as Uint8Array), sig: b64(busy.reply.sig as Uint8Array) };
    const base = {
      id: 'm2',
      nonce,
      minion_pem: minionPair.privatePem,
      minion_pub: minionPair.publicPem,
      master_pub: masterPair.publicPem,
      reply,
    };
    const { results } = runSaltChecks(found.python, [
      { ...base, pinned: true },
      { ...base, pinned: false },
    ]);
    for (const result of results) {
      expect(result.primitives.clear_signature_valid).toBe(true);
      expect(result.signin).toEqual({ result: 'retry' });
    }
  });
});

describe('a sign-in storm against a tiny auth_queue_max', () => {
  it('every minion signs in (none gives up), some were told busy, a signed-in minion is served meanwhile', async () => {
    const N = 24;
    // One worker, two tasks in flight: sign-ins may use one slot, the signed-in minion's work the other.
    const pooled = createPooledSuite(suite, {
      module: '@brine/crypto/node',
      exportName: 'createNodeSaltSuite',
      size: 1,
      maxInFlightPerWorker: 2,
    });
    await pooled.ready();
    const keyStore = await storeWith('master', masterPair);
    const master = createMaster(
      {
        transport: 'tcp',
        interface: '127.0.0.1',
        ret_port: 0,
        publish_port: 0,
        auto_accept: true,
        auth_queue_max: 2,
        auth_retry_delay: 0.05,
        auth_retry_delay_max: 0.5,
      },
      { transports: [tcpTransport()], suite: pooled, keyStore },
    );
    const signer = await suite.generateKeyPair();
    // An app command whose handler needs the worker pool (a private-key operation), as pillar does.
    master.commands.register('_app_sign', async () => ({
      bytes: (await pooled.sign(signer.privateKey, new TextEncoder().encode('x'))).length,
    }));
    const busyEvents: unknown[] = [];
    master.bus.subscribe('brine/auth/busy', (event) => busyEvents.push(event));
    const minions: Minion[] = [];
    try {
      const { request } = await master.start();
      const port = 'port' in request ? request.port : 0;
      const pairs = await Promise.all(
        Array.from({ length: N + 1 }, async () => {
          const pair = await suite.generateKeyPair();
          return {
            privatePem: suite.exportPrivateKey(pair.privateKey),
            publicPem: suite.exportPublicKey(pair.publicKey),
          };
        }),
      );
      const minion = async (id: string, index: number): Promise<Minion> => {
        const store = await storeWith('minion', pairs[index]!);
        const m = createMinion(
          { id, master: '127.0.0.1', master_port: port, transport: 'tcp', acceptance_wait_time: 0.05 },
          { transports: [tcpTransport()], suite, keyStore: store },
        );
        minions.push(m);
        return m;
      };
      const steady = await minion('steady', N);
      await steady.start();

      let accepted = 0;
      let stormDone = false;
      const busyTransitions = new Set<string>();
      const storm = await Promise.all(Array.from({ length: N }, (_, i) => minion(`storm-${i}`, i)));
      for (const m of storm) {
        m.events.on('auth', (t) => {
          if (t.to === 'busy') busyTransitions.add(m.id);
          if (t.to === 'authenticated') accepted++;
        });
      }
      let servedDuringStorm = 0;
      const requests = (async () => {
        while (!stormDone) {
          const reply = await steady.request('_app_sign');
          expect(reply).toEqual({ bytes: 256 });
          if (!stormDone && accepted < N) servedDuringStorm++;
        }
      })();
      await Promise.all(storm.map((m) => m.start()));
      stormDone = true;
      await requests;

      expect(accepted).toBe(N);
      for (const m of storm) expect(m.auth?.authenticated).toBe(true);
      const stats = master.authStats();
      expect(stats.refused).toBeGreaterThan(0);
      expect(stats.peak).toBeLessThanOrEqual(2);
      expect(busyTransitions.size).toBeGreaterThan(0);
      expect(servedDuringStorm).toBeGreaterThan(0);
      expect(busyEvents.length).toBeGreaterThan(0);
    } finally {
      await Promise.all(minions.map((m) => m.close()));
      await master.close();
      await pooled.close();
    }
  }, 120_000);
});
