/**
 * Master/minion scenarios every transport must pass: the handshake outcomes (accept, pending then
 * accept, reject, deny), AES rotation in the middle of a job stream, and a master restart with
 * minions connected. Run from each transport package with a spec of a few lines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CryptoSuite, TransportFactory } from '@brine/contracts';
import { registerHooks, type SuiteHooks } from './hooks.js';
import {
  createMaster,
  createMinion,
  MemoryKeyStore,
  type AuthStateName,
  type KeyStore,
  type Master,
  type MasterConfig,
  type Minion,
  type MinionConfig,
} from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';

export interface DaemonSpec extends SuiteHooks {
  name: string;
  transport: () => TransportFactory;
  /** The crypto suite both daemons use. Default: the Salt suite on node:crypto (`@brine/crypto/node`). */
  suite?: () => CryptoSuite;
  /** Extra config both daemons get (e.g. zmq_filtering). */
  config?: Partial<MasterConfig & MinionConfig>;
}

const RECON = { recon_default: 100, recon_max: 2000, recon_randomize: true };

export function daemonCompliance(spec: DaemonSpec): void {
  const suite = spec.suite?.() ?? createNodeSaltSuite();
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  function master(extra: Partial<MasterConfig> = {}, store: KeyStore = new MemoryKeyStore()): Master {
    const m = createMaster(
      {
        transport: spec.name,
        interface: '127.0.0.1',
        publish_port: 0,
        ret_port: 0,
        ...RECON,
        ...spec.config,
        ...extra,
      },
      { transports: [spec.transport()], suite, keyStore: store },
    );
    closers.push(() => m.close());
    return m;
  }

  function minion(
    id: string,
    m: Master,
    extra: Partial<MinionConfig> = {},
    store: KeyStore = new MemoryKeyStore(),
  ): Minion {
    const { request } = m.addresses;
    const n = createMinion(
      {
        id,
        transport: spec.name,
        master: '127.0.0.1',
        master_port: 'port' in request ? request.port : 0,
        acceptance_wait_time: 0.1,
        acceptance_wait_time_max: 0.4,
        auth_timeout: 2,
        ...RECON,
        ...spec.config,
        ...extra,
      },
      { transports: [spec.transport()], suite, keyStore: store },
    );
    closers.push(() => n.close());
    return n;
  }

  function states(n: Minion): AuthStateName[] {
    const seen: AuthStateName[] = [];
    n.events.on('auth', (t) => seen.push(t.to));
    return seen;
  }

  describe(`daemon compliance: ${spec.name}`, () => {
    registerHooks(spec);
    it('accept: an auto-accepted minion answers test.ping', async () => {
      const m = master({ auto_accept: true });
      await m.start();
      const n = minion('alpha', m);
      const seen = states(n);
      await n.start({ timeout: 20_000 });
      expect(seen).toEqual(['signing-in', 'authenticated']);
      const result = await m.run('alpha', 'test.ping', [], { timeoutSeconds: 10 });
      expect(result.returns).toEqual({ alpha: true });
      expect(result.missing).toEqual([]);
    });

    it("an app's master command: registered on the master, called by the minion with its verified id", async () => {
      const m = master({ auto_accept: true });
      const calls: Array<{ id: unknown; minionId: string; n: unknown }> = [];
      m.commands.register('_app_inventory', (load, context) => {
        calls.push({ id: load.id, minionId: context.minionId, n: load.n });
        return { seen: load.n, by: context.minionId };
      });
      await m.start();
      const n = minion('alpha', m);
      await n.start({ timeout: 20_000 });
      expect(await n.request('_app_inventory', { n: 7, id: 'someone-else' })).toEqual({ seen: 7, by: 'alpha' });
      expect(calls).toEqual([{ id: 'alpha', minionId: 'alpha', n: 7 }]);
      // Not registered: Salt's answer to an unknown command, an encrypted {}.
      expect(await n.request('_app_missing')).toEqual({});
      expect(() => m.commands.register('_app_inventory', () => null)).toThrow(/already registered/);
    });

    it('saltutil.find_job reports a running job, then {} once it has returned', async () => {
      const m = master({ auto_accept: true });
      await m.start();
      const n = minion('alpha', m);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      n.functions.register('test.hold', async () => {
        await released;
        return 'done';
      });
      await n.start({ timeout: 20_000 });
      const started = new Promise<string>((resolve) =>
        n.events.on('job', (load) => {
          if (load.fun === 'test.hold') resolve(String(load.jid));
        }),
      );
      const held = m.run('alpha', 'test.hold', ['x'], { timeoutSeconds: 20 });
      const jid = await started;
      const found = await m.run('alpha', 'saltutil.find_job', [jid], { timeoutSeconds: 10 });
      expect(found.returns.alpha).toMatchObject({ jid, fun: 'test.hold', arg: ['x'], tgt: 'alpha' });
      const running = await m.run('alpha', 'saltutil.running', [], { timeoutSeconds: 10 });
      expect(running.returns.alpha).toEqual([expect.objectContaining({ jid, fun: 'test.hold' })]);
      release();
      expect((await held).returns).toEqual({ alpha: 'done' });
      const gone = await m.run('alpha', 'saltutil.find_job', [jid], { timeoutSeconds: 10 });
      expect(gone.returns).toEqual({ alpha: {} });
    });

    it('pending, then accepted with the key manager', async () => {
      const m = master();
      await m.start();
      const events: string[] = [];
      m.bus.subscribe('salt/auth', (e) => events.push(String(e.data.act)));
      const n = minion('beta', m);
      const seen = states(n);
      const started = n.start({ timeout: 20_000 });
      const pend = await m.bus.next((e) => e.tag === 'salt/auth' && e.data.act === 'pend', { timeout: 10_000 });
      expect(pend.data.id).toBe('beta');
      expect((await m.keys.list()).pending).toEqual(['beta']);
      await m.keys.accept('beta');
      await started;
      expect(seen).toContain('pending');
      expect(seen.at(-1)).toBe('authenticated');
      expect(events[0]).toBe('pend');
      expect(events.at(-1)).toBe('accept');
      expect((await m.run('*', 'test.echo', ['hi'])).returns).toEqual({ beta: 'hi' });
    });

    it('reject: a rejected key ends start() with ERR_AUTH_REJECTED', async () => {
      const store = new MemoryKeyStore();
      const m = master({}, store);
      await m.start();
      const n = minion('gamma', m);
      const started = n.start({ timeout: 20_000 });
      await m.bus.next((e) => e.tag === 'salt/auth' && e.data.act === 'pend', { timeout: 10_000 });
      await m.keys.reject('gamma');
      await expect(started).rejects.toMatchObject({ code: 'ERR_AUTH_REJECTED' });
      expect((await m.keys.list()).rejected).toEqual(['gamma']);
    });

    it('deny: a different key for an accepted id is denied and kept in minions_denied', async () => {
      const store = new MemoryKeyStore();
      const m = master({ auto_accept: true }, store);
      await m.start();
      const first = minion('delta', m);
      await first.start({ timeout: 20_000 });
      await first.close();
      const impostor = minion('delta', m); // a fresh key store: a new key under the same id
      const denied = m.bus.next((e) => e.tag === 'salt/auth' && e.data.act === 'denied', { timeout: 10_000 });
      await expect(impostor.start({ timeout: 20_000 })).rejects.toMatchObject({ code: 'ERR_AUTH_REJECTED' });
      expect((await denied).data.id).toBe('delta');
      expect(await store.getMinionKey('denied', 'delta')).toBeDefined();
      expect((await m.keys.list()).accepted).toEqual(['delta']);
    });

    it('AES rotation in the middle of a job stream loses no job and no return', async () => {
      const m = master({ auto_accept: true });
      await m.start();
      const ids = ['m1', 'm2', 'm3'];
      const minions = ids.map((id) => minion(id, m));
      await Promise.all(minions.map((n) => n.start({ timeout: 20_000 })));
      const rotations = m.bus.next('key', { timeout: 30_000 });
      for (let i = 0; i < 10; i++) {
        if (i === 5) m.rotateAesKey('test');
        const result = await m.run('*', 'test.echo', [`job-${i}`], { timeoutSeconds: 15 });
        expect(result.missing).toEqual([]);
        expect(result.returns).toEqual(Object.fromEntries(ids.map((id) => [id, `job-${i}`])));
      }
      expect((await rotations).data.rotate_aes_key).toBe(true);
    });

    it('master restart: every minion comes back on its own and jobs after it lose no return', async () => {
      const store = new MemoryKeyStore();
      const first = master({ auto_accept: true }, store);
      const { publish, request } = await first.start();
      const ports = {
        publish_port: 'port' in publish ? publish.port : 0,
        ret_port: 'port' in request ? request.port : 0,
      };
      const ids = ['r1', 'r2', 'r3'];
      const minions = ids.map((id) => minion(id, first));
      await Promise.all(minions.map((n) => n.start({ timeout: 20_000 })));
      expect((await first.run('*', 'test.ping')).missing).toEqual([]);
      await first.close();

      const second = master({ auto_accept: true, ...ports }, store);
      const back = new Set<string>();
      // Waits for the events (each minion's start event after it re-authenticated, and its publish
      // subscription), not for the clock: the test's own timeout is the only bound.
      const allBack = new Promise<void>((resolve) =>
        second.bus.subscribe('salt/minion/', (e) => {
          const id = String(e.data.id);
          if (e.tag === `salt/minion/${id}/start`) back.add(id);
          if (back.size === ids.length) resolve();
        }),
      );
      await second.start();
      await allBack;
      await second.waitForSubscribers(ids.length);
      expect([...back].sort()).toEqual(ids);
      for (let i = 0; i < 3; i++) {
        const result = await second.run('*', 'test.echo', [`after-${i}`], { timeoutSeconds: 10 });
        expect(result.missing).toEqual([]);
      }
    });

    it('grains reach the master: -G, -C and nodegroup targets on both sides; Salt argument types and checks', async () => {
      const m = master({ auto_accept: true, nodegroups: { webs: 'G@roles:web' } });
      await m.start();
      const web = minion('alpha', m, { grains: { roles: ['web'], tier: 1 } });
      const db = minion('beta', m, { grains: { roles: ['db'] } });
      await Promise.all([web.start({ timeout: 20_000 }), db.start({ timeout: 20_000 })]);
      expect(m.minionData.get('alpha')?.grains).toMatchObject({ id: 'alpha', roles: ['web'] });
      const ids = async (tgt: string, tgt_type: string) => {
        const result = await m.run(tgt, 'test.ping', [], { tgt_type, timeoutSeconds: 10 });
        expect(result.missing).toEqual([]);
        return Object.keys(result.returns).sort();
      };
      expect(await ids('roles:web', 'grain')).toEqual(['alpha']);
      expect(await ids('roles:d.', 'grain_pcre')).toEqual(['beta']);
      expect(await ids('beta or G@roles:web', 'compound')).toEqual(['alpha', 'beta']);
      expect(await ids('G@roles:* and not L@alpha', 'compound')).toEqual(['beta']);
      expect(await ids('webs', 'nodegroup')).toEqual(['alpha']);
      expect(await ids('id:beta', 'grain')).toEqual(['beta']);
      // The app adds a grain at run time: the master's cache and the minion's matcher see it.
      await db.setGrains({ roles: ['db', 'web'] });
      expect(await ids('roles:web', 'grain')).toEqual(['alpha', 'beta']);
      // Types survive the trip (Salt's CLI yamlifies `42` and `{a: 1}` before publishing).
      const echo = await m.run('alpha', 'test.echo', [42], { timeoutSeconds: 10 });
      expect(echo.returns).toEqual({ alpha: 42 });
      expect((await m.run('alpha', 'test.echo', [{ a: 1 }], { timeoutSeconds: 10 })).returns).toEqual({
        alpha: { a: 1 },
      });
      expect((await m.run('alpha', 'grains.get', ['tier'], { timeoutSeconds: 10 })).returns).toEqual({ alpha: 1 });
      const bad = await m.run('alpha', 'test.ping', ['extra'], { timeoutSeconds: 10 });
      expect(bad.returns.alpha).toMatch(
        /^Passed invalid arguments to test.ping: ping\(\) takes 0 positional arguments but 1 was given/,
      );
      expect(bad.details?.alpha).toMatchObject({ success: false, retcode: 1 });
    });

    it('refuses a second start and closes idempotently', async () => {
      const m = master({ auto_accept: true });
      await m.start();
      await expect(m.start()).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' });
      await m.close();
      await m.close();
    });
  });
}
