import { afterEach, describe, expect, it } from 'vitest';
import { type CryptoSuite } from '@brine/contracts';
import { createMaster, createMinion, MemoryKeyStore, type Master, type Minion } from '@brine/core';
import { createNaclSuite } from '@brine/crypto/nacl';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';

describe('crypto suite chosen by config on both ends', () => {
  const open: Array<Master | Minion> = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  async function pair(masterSuite: CryptoSuite, minionSuite: CryptoSuite, id: string, acceptanceWaitTime = 10) {
    const master = createMaster(
      { transport: 'tcp', interface: '127.0.0.1', ret_port: 0, publish_port: 0, auto_accept: true },
      { transports: [tcpTransport()], suite: masterSuite, keyStore: new MemoryKeyStore() },
    );
    open.push(master);
    const { request } = await master.start();
    const minion = createMinion(
      {
        id,
        transport: 'tcp',
        master: '127.0.0.1',
        master_port: 'port' in request ? request.port : 0,
        acceptance_wait_time: acceptanceWaitTime,
      },
      { transports: [tcpTransport()], suite: minionSuite, keyStore: new MemoryKeyStore() },
    );
    open.push(minion);
    return { master, minion };
  }

  it('NaCl on both ends: handshake, jobs and returns work', async () => {
    const { master, minion } = await pair(createNaclSuite(), createNaclSuite(), 'nacl-1');
    await minion.start({ timeout: 20_000 });
    expect(minion.auth?.creds?.aes).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect((await master.run('nacl-1', 'test.echo', ['über'])).returns).toEqual({ 'nacl-1': 'über' });
  });

  it('a NaCl minion against a Salt-suite master: ERR_UNSUPPORTED_SUITE retried until start() times out', async () => {
    const { master, minion } = await pair(createNodeSaltSuite(), createNaclSuite(), 'nacl-2', 0.05);
    const states: string[] = [];
    minion.events.on('auth', (t) => states.push(`${t.to}:${t.error?.code ?? ''}`));
    const error = await minion.start({ timeout: 1_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TIMEOUT', cause: { code: 'ERR_UNSUPPORTED_SUITE' } });
    // The unsigned refusal was retried, not fatal.
    expect(states.filter((s) => s === 'failed:ERR_UNSUPPORTED_SUITE').length).toBeGreaterThan(1);
    expect((await master.keys.list()).pending).toEqual([]);
  });

  it('a Salt-suite minion against a NaCl master: ERR_UNSUPPORTED_SUITE, retried until the timeout', async () => {
    const { minion } = await pair(createNaclSuite(), createNodeSaltSuite(), 'salt-1', 0.05);
    await expect(minion.start({ timeout: 1_000 })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      cause: { code: 'ERR_UNSUPPORTED_SUITE' },
    });
  });
});
