/** ipc:// (PathAddress) and IPv6 loopback endpoints, for both channels. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Address, Closable } from '@brine/contracts';
import { zmqTransport } from '../src/index.js';
import { FAST_RECONNECT } from './helpers.js';

const opened: Closable[] = [];
const track = <T extends Closable>(x: T): T => {
  opened.push(x);
  return x;
};
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

async function roundTrips(listenAt: Address): Promise<{ request: Address; publish: Address }> {
  const t = zmqTransport({ zmqFiltering: true, reconnect: FAST_RECONNECT });
  const server = track(t.requestServer());
  const reqAddress = await server.listen(listenAt, (m) => ({ echo: m }));
  const client = track(t.requestClient());
  await client.connect(reqAddress, { timeout: 10_000 });
  expect(await client.request({ hi: 1 }, { timeout: 5000 })).toEqual({ echo: { hi: 1 } });

  const pubAt = 'path' in listenAt ? { path: `${listenAt.path}.pub` } : listenAt;
  const pub = track(t.publishServer());
  const pubAddress = await pub.listen(pubAt);
  const presence = pub.events.once('presence', { signal: AbortSignal.timeout(10_000) });
  const sub = track(t.publishClient());
  await sub.connect(pubAddress, { timeout: 10_000, identity: 'minion1' });
  await presence;
  const next = sub[Symbol.asyncIterator]().next();
  await pub.publish(new Uint8Array([7, 0xff]), { topics: ['minion1'] });
  expect([...((await next).value as Uint8Array)]).toEqual([7, 0xff]);
  return { request: reqAddress, publish: pubAddress };
}

describe('ipc:// endpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brine-zmq-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves requests and publishes over unix sockets, made 0600 as Salt does', async () => {
    const path = join(dir, 'workers.ipc');
    const { request, publish } = await roundTrips({ path });
    expect(request).toEqual({ path });
    expect(publish).toEqual({ path: `${path}.pub` });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

const hasIpv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = net.createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});

describe.skipIf(!hasIpv6Loopback)('IPv6 loopback (::1)', () => {
  it('listens on [::1] and reports the chosen port; both channels work', async () => {
    const { request, publish } = await roundTrips({ host: '::1', port: 0 });
    expect(request).toMatchObject({ host: '::1' });
    expect((request as { port: number }).port).toBeGreaterThan(0);
    expect((publish as { port: number }).port).toBeGreaterThan(0);
  });
});
