/**
 * TLS with Salt's `ssl` option names. The certificate is made at test time with openssl (node:crypto
 * cannot make X.509 certificates): self-signed for CN=localhost with IP:127.0.0.1 in its SAN.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrineError, Closable, TlsOptions } from '@brine/contracts';
import { wsTransport } from '../src/index.js';
import { FAST_RECONNECT, LOOPBACK } from './helpers.js';

let dir: string;
let server: TlsOptions;
let ca: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'brine-ws-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  server = { certfile: cert, keyfile: key };
  ca = cert;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opened: Closable[] = [];
function track<T extends Closable>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

const t = wsTransport({ reconnect: FAST_RECONNECT });

async function tlsEcho(options: { cert_reqs?: TlsOptions['cert_reqs']; ca_certs?: string } = {}) {
  const s = track(t.requestServer({ ssl: { ...server, ...options } }));
  const serverErrors: BrineError[] = [];
  s.events.on('error', (e) => serverErrors.push(e));
  const address = await s.listen(LOOPBACK, (m) => ({ echo: m }));
  return { server: s, address, serverErrors };
}

describe('TLS (wss)', () => {
  it('verification is on by default: an unknown CA fails with ERR_TLS (client and server side)', async () => {
    const { address, server: s } = await tlsEcho();
    const serverSaw = s.events.once('error', { signal: AbortSignal.timeout(5000) });
    const client = track(t.requestClient({ ssl: true }));
    const clientErrors: BrineError[] = [];
    client.events.on('error', (e) => clientErrors.push(e));
    const error = (await client.connect(address, { timeout: 1000 }).then(
      () => undefined,
      (e: unknown) => e,
    )) as BrineError;
    expect(error.code).toBe('ERR_TIMEOUT');
    expect((error.cause as BrineError).code).toBe('ERR_TLS');
    expect(clientErrors.length).toBeGreaterThan(0);
    expect(clientErrors.every((e) => e.code === 'ERR_TLS')).toBe(true);
    const [serverError] = await serverSaw;
    expect(serverError.code).toBe('ERR_TLS');
  });

  it('ca_certs makes the certificate trusted: request/reply over wss', async () => {
    const { address } = await tlsEcho();
    const client = track(t.requestClient({ ssl: { ca_certs: ca } }));
    await client.connect(address, { timeout: 5000 });
    expect(await client.request({ over: 'tls' }, { timeout: 5000 })).toEqual({ echo: { over: 'tls' } });
  });

  it('publish over wss with ca_certs', async () => {
    const pub = track(t.publishServer({ ssl: server }));
    const address = await pub.listen(LOOPBACK);
    const client = track(t.publishClient({ ssl: { ca_certs: ca } }));
    await client.connect(address, { timeout: 5000 });
    while (pub.subscriberCount < 1) await pub.events.once('connection');
    const it = client[Symbol.asyncIterator]();
    await pub.publish(new Uint8Array([1, 2, 0xff]));
    expect([...((await it.next()).value as Uint8Array)]).toEqual([1, 2, 0xff]);
  });

  it('the name is checked: a certificate for another host fails with ERR_TLS', async () => {
    const { address } = await tlsEcho();
    const client = track(t.requestClient({ ssl: { ca_certs: ca, servername: 'master.example' } }));
    const [error] = await Promise.all([
      client.events.once('error', { signal: AbortSignal.timeout(5000) }),
      client.connect(address, { timeout: 1000 }).catch(() => {}),
    ]);
    expect(error[0].code).toBe('ERR_TLS');
  });

  it('mutual TLS: cert_reqs CERT_REQUIRED on the server refuses a client without a certificate', async () => {
    const { address } = await tlsEcho({ cert_reqs: 'CERT_REQUIRED', ca_certs: ca });
    const anonymous = track(t.requestClient({ ssl: { ca_certs: ca } }));
    await expect(anonymous.connect(address, { timeout: 1000 })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      cause: expect.objectContaining({ code: 'ERR_TLS' }),
    });
    const withCert = track(t.requestClient({ ssl: { ca_certs: ca, ...server } }));
    await withCert.connect(address, { timeout: 5000 });
    expect(await withCert.request(1, { timeout: 5000 })).toEqual({ echo: 1 });
  });

  it("cert_reqs 'CERT_NONE' on the client turns verification off (Salt's option; avoid)", async () => {
    const { address } = await tlsEcho();
    const client = track(t.requestClient({ ssl: { cert_reqs: 'CERT_NONE' } }));
    await client.connect(address, { timeout: 5000 });
    expect(await client.request(2, { timeout: 5000 })).toEqual({ echo: 2 });
  });

  it('a TLS server without certfile/keyfile is a configuration error', async () => {
    const s = track(t.requestServer({ ssl: true }));
    await expect(s.listen(LOOPBACK, () => null)).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    const p = track(
      t.publishServer({ ssl: { certfile: join(dir, 'missing.pem'), keyfile: join(dir, 'missing.pem') } }),
    );
    await expect(p.listen(LOOPBACK)).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });
});
