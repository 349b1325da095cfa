// Complete, well-formed messages sent with the transports' own clients (what a scripted attacker
// would use): `_auth` loads with hostile keys, and servers that pose as a master.
import { generateKeyPairSync } from 'node:crypto';
import type { RequestClient, RequestHandler, TransportFactory } from '@brine/contracts';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';
import type { Transport } from '../harness/daemons.js';

export function factoryOf(transport: Transport): TransportFactory {
  return transport === 'tcp' ? tcpTransport() : transport === 'ws' ? wsTransport() : zmqTransport();
}

export const HOST = '127.0.0.1';

/** A connected request client of `transport`. */
export async function client(transport: Transport, port: number): Promise<RequestClient> {
  const c = factoryOf(transport).requestClient();
  await c.connect({ host: HOST, port }, { timeout: 10_000 });
  return c;
}

/** An RSA public key in PEM (SPKI, as Salt writes minion.pub). */
export function rsaPublicPem(bits: number): string {
  return generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).publicKey;
}

/** A clear `_auth` request as a minion sends it (the fields the master reads before any crypto). */
export function authMessage(id: string, pub: string): unknown {
  return {
    enc: 'clear',
    load: { cmd: '_auth', id, pub, token: new Uint8Array(256), nonce: '0'.repeat(32) },
    version: 3,
  };
}

/** Sends one request; resolves with the reply, or with the error code it failed with. */
export async function tryRequest(c: RequestClient, message: unknown, timeout = 5000): Promise<unknown> {
  try {
    return await c.request(message, { timeout, tries: 1 } as { timeout: number });
  } catch (err) {
    return { failed: (err as { code?: string }).code ?? String(err) };
  }
}

/** A request server on port 0 answering every request with `handler`. */
export async function fakeServer(transport: Transport, handler: RequestHandler) {
  const server = factoryOf(transport).withOptions({ authMaxMessageSize: 0 }).requestServer();
  const address = await server.listen({ host: HOST, port: 0 }, handler);
  if (!('port' in address)) throw new Error('no port');
  return { server, port: address.port };
}

/** A publish server on port 0 (the attacker's position on the path of a minion's publish channel). */
export async function fakePublisher(transport: Transport) {
  const server = factoryOf(transport).publishServer();
  // Every subscriber counts as whoever it says it is: the attacker wants them all.
  const address = await server.listen({ host: HOST, port: 0 }, { presence: () => undefined });
  if (!('port' in address)) throw new Error('no port');
  return { server, port: address.port };
}
