import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Closable } from '@brine/contracts';
import { tcpTransport } from '@brine/transport-tcp';

const opened: Closable[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

function hasIpv6Loopback(): boolean {
  return Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.family === 'IPv6' && i.internal));
}

async function roundTrip(
  t: ReturnType<typeof tcpTransport>,
  listenAt: Parameters<ReturnType<typeof tcpTransport>['requestServer']> extends never ? never : any,
) {
  const s = t.requestServer();
  opened.push(s);
  const address = await s.listen(listenAt, (m) => ({ echo: m }));
  const c = t.requestClient();
  opened.push(c);
  await c.connect(address, { timeout: 5000 });
  return { reply: await c.request('hi', { timeout: 5000 }), address };
}

describe('TCP transport networking', () => {
  it.runIf(hasIpv6Loopback())('works over IPv6 loopback', async () => {
    const { reply, address } = await roundTrip(tcpTransport(), { host: '::1', port: 0 });
    expect(reply).toEqual({ echo: 'hi' });
    expect(address).toMatchObject({ host: '::1' });
  });

  it('works over a unix socket path', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'brine-tcp-'));
    const { reply } = await roundTrip(tcpTransport(), { path: join(dir, 'req.sock') });
    expect(reply).toEqual({ echo: 'hi' });
  });

  describe('TLS', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'brine-tls-'));
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
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );

    it('serves requests and publishes over TLS when the client trusts the CA', async () => {
      const server = tcpTransport({ ssl: { certfile: cert, keyfile: key } });
      const client = tcpTransport({ ssl: { ca_certs: cert } });
      const s = server.requestServer();
      opened.push(s);
      const address = await s.listen({ host: '127.0.0.1', port: 0 }, (m) => ({ echo: m }));
      const c = client.requestClient();
      opened.push(c);
      await c.connect(address, { timeout: 5000 });
      expect(await c.request({ secret: 1 }, { timeout: 5000 })).toEqual({ echo: { secret: 1 } });

      const ps = server.publishServer();
      opened.push(ps);
      const paddr = await ps.listen({ host: '127.0.0.1', port: 0 });
      const pc = client.publishClient();
      opened.push(pc);
      await pc.connect(paddr, { timeout: 5000 });
      while (ps.subscriberCount < 1) await ps.events.once('connection');
      const next = pc[Symbol.asyncIterator]().next();
      await ps.publish(new Uint8Array([9, 0xff]));
      expect(Array.from((await next).value as Uint8Array)).toEqual([9, 0xff]);
    });

    it('verifies the server certificate by default: an unknown CA fails with ERR_TLS', async () => {
      const s = tcpTransport({ ssl: { certfile: cert, keyfile: key } }).requestServer();
      opened.push(s);
      const address = await s.listen({ host: '127.0.0.1', port: 0 }, () => 1);
      const c = tcpTransport({ ssl: true }).requestClient();
      opened.push(c);
      const failure = c.events.once('error', { signal: AbortSignal.timeout(5000) });
      await expect(c.connect(address, { timeout: 2000 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
      const [error] = await failure;
      expect(error.code).toBe('ERR_TLS');
    });

    it('a plain client against a TLS server gets no reply and the server keeps serving', async () => {
      const s = tcpTransport({ ssl: { certfile: cert, keyfile: key } }).requestServer();
      opened.push(s);
      const address = await s.listen({ host: '127.0.0.1', port: 0 }, () => 1);
      const sock = net.connect((address as { port: number }).port, '127.0.0.1');
      sock.on('error', () => {});
      await new Promise((r) => sock.once('connect', r));
      sock.write(Buffer.from(readFileSync(cert)));
      await new Promise((r) => sock.once('close', r));
      const c = tcpTransport({ ssl: { ca_certs: cert } }).requestClient();
      opened.push(c);
      await c.connect(address, { timeout: 5000 });
      expect(await c.request(0, { timeout: 5000 })).toBe(1);
    });
  });
});
