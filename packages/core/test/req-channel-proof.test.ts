// ReqChannel proves a new connection with a tiny verified request before a large one, since the
// master applies auth_max_message_size to a connection until a request on it verified.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@brine/contracts';
import { ReqChannel, type CommandHandler, type Dict } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import {
  createMaster,
  createMinion,
  directSender,
  loopbackClient,
  overTheWire,
  vectorPair,
} from './helpers/auth-fixtures.js';

const suite = createNodeSaltSuite();

async function setup(proveAbove?: number) {
  const seen: string[] = [];
  const record: CommandHandler = (load: Dict) => {
    seen.push(String(load.cmd));
    return true;
  };
  const master = await createMaster({
    suite,
    commands: new Map([
      ['_return', record],
      ['_minion_event', record],
    ]),
  });
  await master.store.putMinionKey('accepted', 'minion1', vectorPair('minion').publicPem);
  const node = await createMinion({ suite, send: directSender(master) });
  const client = loopbackClient(async (message) => overTheWire(await master.handle(overTheWire(message))));
  const channel = new ReqChannel(
    { client, auth: node.auth, keys: node.keys, suite, logger: silentLogger },
    { id: 'minion1', ...(proveAbove === undefined ? {} : { proveAbove }) },
  );
  return { seen, client, channel, close: () => node.auth.close() };
}

const big = (n: number): Dict => ({ cmd: '_return', jid: '1', return: 'x'.repeat(n) });

describe('ReqChannel: a new connection is proven before a large request', () => {
  it('small requests go at once; a large one on an unproven connection follows one tiny _minion_event', async () => {
    const { seen, client, channel, close } = await setup();
    expect(await channel.send(big(100))).toBe(true);
    expect(seen).toEqual(['_return']);
    // The small request was answered on this connection: it proved it.
    await channel.send(big(64 * 1024));
    expect(seen).toEqual(['_return', '_return']);

    client.events.emit('connect'); // a reconnect: a new, unauthenticated connection
    seen.length = 0;
    await channel.send(big(64 * 1024));
    expect(seen).toEqual(['_minion_event', '_return']);
    await channel.send(big(64 * 1024));
    expect(seen).toEqual(['_minion_event', '_return', '_return']);
    close();
  });

  it('concurrent large requests on a new connection share one proof', async () => {
    const { seen, client, channel, close } = await setup();
    client.events.emit('connect');
    await Promise.all([channel.send(big(8192)), channel.send(big(8192)), channel.send(big(8192))]);
    expect(seen).toEqual(['_minion_event', '_return', '_return', '_return']);
    close();
  });

  it('proveAbove: 0 turns the proof off', async () => {
    const { seen, client, channel, close } = await setup(0);
    client.events.emit('connect');
    await channel.send(big(64 * 1024));
    expect(seen).toEqual(['_return']);
    close();
  });
});
