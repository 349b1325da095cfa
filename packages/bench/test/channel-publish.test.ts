/**
 * The channel cells of the publish family: what a PubServerChannel publishes, a subscriber's
 * decoder turns back into the payload, with the signature verified against the pinned master key
 * (a decoder that could not verify dropped every publish, and the cells reported 0 deliveries).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelDecoder, channelPublisher } from '../src/scenarios/channel-publish.js';
import { generatePems } from '../src/suites.js';
import { LOOPBACK, preloadTransports, transportFactory } from '../src/transports.js';

let publisher: Awaited<ReturnType<typeof channelPublisher>>;

beforeAll(async () => {
  await preloadTransports();
  publisher = await channelPublisher(transportFactory('tcp'), (await generatePems('salt', 2048, 1))[0]);
});
afterAll(() => publisher.close());

async function receiveOne(masterPub: string): Promise<Uint8Array | undefined> {
  const client = transportFactory('tcp').publishClient();
  await client.connect({ host: LOOPBACK, port: publisher.port }, { identity: 'sub-0', timeout: 10_000 });
  try {
    await publisher.waitSubscribers(1, 10_000);
    const decode = (await channelDecoder(publisher.sharedKey, masterPub))(0, client);
    const payload = new Uint8Array([1, 2, 3, 250]);
    const iterator = client[Symbol.asyncIterator]();
    await publisher.publish(payload);
    const { value } = await iterator.next();
    return await decode(value as Uint8Array);
  } finally {
    await client.close();
  }
}

describe('channel publish decoder', () => {
  it('decodes a signed publish with the master key it pinned', async () => {
    expect(publisher.masterPub).toContain('PUBLIC KEY');
    expect(await receiveOne(publisher.masterPub)).toEqual(new Uint8Array([1, 2, 3, 250]));
  });

  it('drops a publish signed by another master', async () => {
    const other = (await generatePems('salt', 2048, 1))[0]!.publicPem;
    expect(await receiveOne(other)).toBeUndefined();
  });
});
