import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMaster, createMinion, MemoryKeyStore, type Master, type Minion } from '@brine/core';
import { FsJidCache } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';

describe('a replayed publish never runs twice on a minion, across minion restarts', () => {
  const open: Array<Master | Minion> = [];
  let dir = '';
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the same jid published again after a restart is dropped; a new jid runs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'minion-replay-'));
    const suite = createNodeSaltSuite();
    const master = createMaster(
      { transport: 'tcp', interface: '127.0.0.1', ret_port: 0, publish_port: 0, auto_accept: true },
      { transports: [tcpTransport()], suite, keyStore: new MemoryKeyStore() },
    );
    open.push(master);
    const { request } = await master.start();
    const port = 'port' in request ? request.port : 0;
    const minionStore = new MemoryKeyStore();
    const start = async (): Promise<{ minion: Minion; jobs: string[] }> => {
      const minion = createMinion(
        { id: 'm1', transport: 'tcp', master: '127.0.0.1', master_port: port },
        {
          transports: [tcpTransport()],
          suite,
          keyStore: minionStore,
          jidCache: await FsJidCache.open(join(dir, 'minion_jids'), 100),
        },
      );
      open.push(minion);
      const jobs: string[] = [];
      minion.events.on('job', (load) => jobs.push(String(load.jid)));
      await minion.start({ timeout: 20_000 });
      return { minion, jobs };
    };
    const first = await start();
    const ran = await master.run('m1', 'test.ping', [], { timeoutSeconds: 20 });
    expect(ran.returns).toEqual({ m1: true });
    await first.minion.close();

    const second = await start();
    // The same publish again (same jid): the restarted minion remembers it.
    await master.publish({ tgt: 'm1', fun: 'test.ping', jid: ran.jid });
    const fresh = await master.run('m1', 'test.echo', ['after'], { timeoutSeconds: 20 });
    expect(fresh.returns).toEqual({ m1: 'after' });
    // Publishes arrive in order: the replay reached the minion before the fresh job and was dropped.
    expect(second.jobs).toEqual([fresh.jid]);
  });
});
