// A minion whose request connection was dropped by the master's side reconnects without signing
// in again; the master authenticates connections (tcp, ws), so the minion first proves itself with
// a small verified request and only then sends a return far over auth_max_message_size.
import { afterEach, describe, expect, it } from 'vitest';
import type { TransportFactory } from '@brine/contracts';
import { createMaster, createMinion, MemoryKeyStore, type Master, type Minion } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { startDropProxy, type DropProxy } from './drop-proxy.js';

const suite = createNodeSaltSuite();
const RECON = { recon_default: 50, recon_max: 200, recon_randomize: false };
const MIB = 1 << 20;

const transports: Array<[string, () => TransportFactory]> = [
  ['tcp', () => tcpTransport()],
  ['ws', () => wsTransport()],
];

describe.each(transports)('a reconnected minion sends a 1 MiB return (%s)', (name, transport) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('is accepted after a server-side drop, without signing in again', async () => {
    const master: Master = createMaster(
      { transport: name, interface: '127.0.0.1', publish_port: 0, ret_port: 0, auto_accept: true, ...RECON },
      { transports: [transport()], suite, keyStore: new MemoryKeyStore() },
    );
    closers.push(() => master.close());
    await master.start();
    const request = master.addresses.request;
    if (!('port' in request)) throw new Error('no port');
    const proxy: DropProxy = await startDropProxy({ host: '127.0.0.1', port: request.port });
    closers.push(() => proxy.close());

    const minion: Minion = createMinion(
      {
        id: 'big',
        transport: name,
        master: '127.0.0.1',
        master_port: proxy.port,
        acceptance_wait_time: 0.1,
        auth_timeout: 5,
        return_retry_tries: 1,
        ...RECON,
      },
      { transports: [transport()], suite, keyStore: new MemoryKeyStore() },
    );
    closers.push(() => minion.close());
    minion.functions.register('test.big', () => 'x'.repeat(MIB));
    const signIns: string[] = [];
    minion.events.on('auth', (t) => signIns.push(t.to));
    await minion.start({ timeout: 20_000 });
    expect((await master.run('big', 'test.ping', [], { timeoutSeconds: 10 })).returns).toEqual({ big: true });

    const before = proxy.accepted;
    proxy.drop();
    await proxy.acceptedAt(before + 1);
    const refusedBefore = master.requestStats()?.refused ?? {};

    const result = await master.run('big', 'test.big', [], { timeoutSeconds: 20 });
    expect(result.missing).toEqual([]);
    expect((result.returns.big as string).length).toBe(MIB);
    // One sign-in in all: the return went over the reconnected link as it was.
    expect(signIns.filter((s) => s === 'authenticated')).toHaveLength(1);
    expect(master.requestStats()?.refused ?? {}).toEqual(refusedBefore);
  });
});
