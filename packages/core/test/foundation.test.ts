import { describe, expect, it } from 'vitest';
import {
  AbortError,
  BoundedQueue,
  BrineError,
  ClosedError,
  createMemoryLogger,
  ErrorCodes,
  ReconnectPolicy,
  Slots,
  TransportRegistry,
  type TransportFactory,
} from '@brine/contracts';
import {
  CredentialsCache,
  Master,
  MemoryKeyStore,
  Minion,
  resolveMasterConfig,
  resolveMinionConfig,
} from '@brine/core';
import { createBrineContainer, createMinionContainer, TOKENS } from '@brine/core/di';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';

describe('typed errors', () => {
  it('carry a stable code, their cause and their class name', () => {
    const cause = new Error('socket hang up');
    const error = new ClosedError(ErrorCodes.CLOSED, 'closed while waiting', { cause });
    expect(error).toBeInstanceOf(BrineError);
    expect(error.code).toBe('ERR_CLOSED');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ClosedError');
    expect(new AbortError(ErrorCodes.ABORTED, 'The operation was aborted').code).toBe(ErrorCodes.ABORTED);
  });
});

describe('ReconnectPolicy (Salt recon_default / recon_max / recon_randomize)', () => {
  it('draws the first delay in [recon_default, recon_default + recon_max] and logs it as Salt does', () => {
    const { logger, records } = createMemoryLogger('debug');
    const low = new ReconnectPolicy({ reconDefault: 1000, reconMax: 10000 }, logger, () => 0);
    const high = new ReconnectPolicy({ reconDefault: 1000, reconMax: 10000 }, logger, () => 0.999999);
    expect(low.baseDelay).toBe(1000);
    expect(high.baseDelay).toBe(11000);
    expect(records[0]!.message).toBe("Generated random reconnect delay between '1000ms' and '11000ms' (1000)");
  });

  it('doubles up to recon_max, never below the first delay, and resets after a connection', () => {
    const p = new ReconnectPolicy({ reconDefault: 100, reconMax: 1000, reconRandomize: false });
    expect([p.next(), p.next(), p.next(), p.next(), p.next()]).toEqual([100, 200, 400, 800, 1000]);
    p.reset();
    expect(p.next()).toBe(100);
    const big = new ReconnectPolicy({ reconDefault: 1000, reconMax: 10000 }, undefined, () => 0.9);
    expect(big.next()).toBeGreaterThanOrEqual(big.baseDelay); // a max below the interval is ignored, as libzmq does
  });
});

describe('BoundedQueue and Slots (high-water marks)', () => {
  it('a queue waits at the mark and resumes in FIFO order', async () => {
    const q = new BoundedQueue<number>(2);
    await q.push(1);
    await q.push(2);
    let third = false;
    const pushing = q.push(3).then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    expect(await q.shift()).toBe(1);
    await pushing;
    expect([await q.shift(), await q.shift()]).toEqual([2, 3]);
  });

  it("a 'reject' queue refuses at the mark with ERR_QUEUE_FULL; close() ends readers", async () => {
    const q = new BoundedQueue<number>(1, 'reject');
    await q.push(1);
    await expect(q.push(2)).rejects.toMatchObject({ code: 'ERR_QUEUE_FULL' });
    q.close();
    expect(await q.shift()).toBe(1); // queued items stay readable
    expect(await q.shift()).toBeUndefined();
  });

  it('slots pass straight to waiters, honour abort, and reject waiters on close', async () => {
    const slots = new Slots(1);
    await slots.acquire();
    expect(slots.tryAcquire()).toBe(false);
    const controller = new AbortController();
    const aborted = slots.acquire(controller.signal);
    const waiting = slots.acquire();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    slots.release();
    await waiting;
    expect(slots.inUse).toBe(1);
    const late = slots.acquire();
    slots.close();
    await expect(late).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});

describe('config with Salt option names', () => {
  it("fills Salt's defaults", () => {
    const master = resolveMasterConfig({});
    expect(master).toMatchObject({ transport: 'zeromq', publish_port: 4505, ret_port: 4506, minimum_auth_version: 3 });
    const minion = resolveMinionConfig({ id: 'web1' });
    expect(minion).toMatchObject({ acceptance_wait_time: 10, auth_tries: 7, auth_timeout: 5, recon_max: 10000 });
  });

  it('refuses wrong types and invalid minion ids with ERR_CONFIG', () => {
    expect(() => resolveMasterConfig({ ret_port: '4506' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    );
    expect(() => resolveMinionConfig({ id: '../etc' })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
    expect(() => resolveMinionConfig({})).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
  });
});

describe('dependency injection', () => {
  const suite = createNodeSaltSuite();

  it('resolves a transport by name and lists the registered ones when the name is unknown', () => {
    const registry = new TransportRegistry([tcpTransport()]);
    expect(registry.get('tcp').name).toBe('tcp');
    expect(() => registry.get('carrier-pigeon')).toThrow(
      expect.objectContaining({ code: 'ERR_UNKNOWN_TRANSPORT', message: expect.stringContaining('tcp') }),
    );
  });

  it('binds the transport the config names, and builds a new Minion per resolve', () => {
    const c = createMinionContainer(
      { id: 'a', transport: 'tcp' },
      { transports: [tcpTransport()], suite, keyStore: new MemoryKeyStore() },
    );
    expect(c.resolve<TransportFactory>(TOKENS.Transport).name).toBe('tcp');
    const a = c.resolve(Minion);
    const b = c.resolve(Minion);
    expect(a.id).toBe('a');
    expect(a).not.toBe(b);
  });

  it('gives every daemon its own child container: nothing is shared unless a parent holds it', () => {
    const wiring = { transports: [tcpTransport()], suite, keyStore: new MemoryKeyStore() };
    const one = createMinionContainer({ id: 'a', transport: 'tcp' }, wiring);
    const two = createMinionContainer({ id: 'b', transport: 'tcp' }, wiring);
    expect(one.resolve(TOKENS.CredentialsCache)).not.toBe(two.resolve(TOKENS.CredentialsCache));
    expect(one.resolve(TOKENS.EventBus)).not.toBe(two.resolve(TOKENS.EventBus));
    expect(one.resolve(Minion).id).toBe('a');

    const parent = createBrineContainer();
    const shared = new CredentialsCache();
    parent.registerInstance(TOKENS.CredentialsCache, shared);
    const x = createMinionContainer({ id: 'a', transport: 'tcp' }, { ...wiring, parent });
    const y = createMinionContainer({ id: 'a', transport: 'tcp' }, { ...wiring, parent });
    expect(x.resolve(TOKENS.CredentialsCache)).toBe(shared);
    expect(y.resolve(TOKENS.CredentialsCache)).toBe(shared);
  });

  it('builds a Master through its container with explicit tokens', () => {
    const c = createBrineContainer({ transports: [tcpTransport()] });
    c.registerInstance(TOKENS.MasterConfig, resolveMasterConfig({ transport: 'tcp' }));
    c.registerInstance(TOKENS.Transport, tcpTransport());
    c.registerInstance(TOKENS.CryptoSuite, suite);
    c.registerInstance(TOKENS.KeyStore, new MemoryKeyStore());
    c.register(TOKENS.EventBus, { useFactory: () => undefined });
    const master = c.resolve(Master);
    expect(master.config.transport).toBe('tcp');
    expect(master.bus).toBeDefined();
  });
});
