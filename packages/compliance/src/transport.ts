/**
 * The transport compliance suite: what every Brine transport must do. A transport package runs it
 * from a spec of a few lines:
 *
 *   transportCompliance({ name: 'tcp', factory: tcpTransport, packageName: '@brine/transport-tcp',
 *     packageDir: fileURLToPath(new URL('..', import.meta.url)), exportName: 'tcpTransport' });
 *
 * Cases that need a capability the transport does not declare (`capabilities.targetedPublish`,
 * `presence`) are not registered for it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BrineError,
  createMemoryLogger,
  ErrorCodes,
  defer,
  type Address,
  isBrineError,
  type BrineError as BrineErrorType,
  type Closable,
  type PeerInfo,
  type PublishClient,
  type PublishServer,
  type RequestServer,
  type TransportFactory,
  type TransportOptions,
} from '@brine/contracts';
import { registerHooks, type SuiteHooks } from './hooks.js';
import { rawConnect } from './raw.js';
import { registerBoundsCases, type RawWire } from './transport-bounds.js';

export type { RawWire } from './transport-bounds.js';

export interface TransportSpec<O extends TransportOptions = TransportOptions> extends SuiteHooks {
  /** Salt's transport name. */
  name: string;
  factory: (options?: O) => TransportFactory;
  /** For the leak check, which runs in a child process: the package, its folder, and the factory's export name. */
  packageName: string;
  packageDir: string;
  exportName: string;
  /** Options every test adds (e.g. ZeroMQ filtering so targeted publishes work). */
  options?: O;
  /** Where servers listen. Default 127.0.0.1 with an OS-chosen port. */
  listenAddress?: () => Address;
  /**
   * Where nothing listens, for the "unreachable" case. Default: a loopback TCP port just bound and
   * released by a plain socket (so no transport's asynchronous unbind can still be holding it).
   */
  unreachableAddress?: () => Address | Promise<Address>;
  /**
   * Whether servers listen on real sockets a raw TCP connection can reach, for the cases that send
   * bytes no client would (garbage, a silent peer). Default true; an in-process transport says false.
   */
  rawSockets?: boolean;
  /** Transport-specific bytes that are certainly garbage to this server. */
  garbage?: Uint8Array;
  /**
   * Whether the server can see and report bad input from a peer (garbage, oversize, idle) as an
   * `error` event. ZeroMQ's engine drops such peers inside libzmq; its spec says what it observes.
   */
  reportsPeerErrors?: { garbage: boolean; oversize: boolean; idle: boolean };
  /**
   * How to speak the transport's wire from a raw TCP socket, for the bounds cases (an
   * unauthenticated peer's size limit, the message deadline, the inbound budget, a client that never
   * reads, requests in flight, connection caps). Given by transports whose request server enforces
   * the shared bound options and has `stats()`; the cases are not registered without it.
   */
  raw?: RawWire;
}

/** A loopback port nothing listens on: bound by a plain socket, then released (synchronously, unlike libzmq's unbind). */
async function freeLoopbackPort(): Promise<Address> {
  // A port below the kernel's ephemeral range: no server listening "on port 0" elsewhere on the
  // machine (a parallel test, a daemon) can be handed it between this check and the connect, which
  // once made the unreachable-server case connect to somebody else's listener.
  const floor = ephemeralFloor();
  for (let attempt = 0; floor !== undefined && attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * Math.max(1, floor - 10_000));
    if (await canListen(port)) return { host: '127.0.0.1', port };
  }
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { host: '127.0.0.1', port };
}

/** The first port of Linux's ephemeral range (net.ipv4.ip_local_port_range), when above 11000. */
function ephemeralFloor(): number | undefined {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 11_000 ? first : undefined;
  } catch {
    return undefined;
  }
}

function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const FAST_RECONNECT = { reconDefault: 20, reconMax: 200, reconRandomize: false };

export function transportCompliance<O extends TransportOptions>(spec: TransportSpec<O>): void {
  const opened: Closable[] = [];
  const track = <T extends Closable>(x: T): T => {
    opened.push(x);
    return x;
  };
  const make = (extra: TransportOptions = {}): TransportFactory =>
    spec.factory({ reconnect: FAST_RECONNECT, ...spec.options, ...extra } as O);
  const listenAt = (): Address => spec.listenAddress?.() ?? { host: '127.0.0.1', port: 0 };
  const reports = spec.reportsPeerErrors ?? { garbage: true, oversize: true, idle: true };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((x) => x.close()));
  });

  async function echoPair(extra: TransportOptions = {}, serverExtra: TransportOptions = {}) {
    const t = make(extra);
    const server = track(make({ ...extra, ...serverExtra }).requestServer());
    // Authenticates every connection (a real channel does it after `_auth`), so the full
    // `maxMessageSize` applies after the first request.
    const address = await server.listen(listenAt(), (msg, context) => {
      context.authenticate?.();
      return { echo: msg };
    });
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 10_000 });
    return { server, client, address, t };
  }

  async function waitForSubscribers(server: PublishServer, n: number): Promise<void> {
    while (server.subscriberCount < n) await server.events.once('connection', { signal: AbortSignal.timeout(20_000) });
  }

  function collect(client: PublishClient, n: number): Promise<Uint8Array[]> {
    return (async () => {
      const out: Uint8Array[] = [];
      for await (const msg of client) {
        out.push(msg);
        if (out.length >= n) break;
      }
      return out;
    })();
  }

  const seq = (i: number): Uint8Array => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, i);
    b[4] = 0xff; // never valid UTF-8 on its own: stays bytes on every wire convention
    return b;
  };
  const seqOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);

  describe(`transport compliance: ${spec.name}`, () => {
    registerHooks(spec);
    describe('request/reply', () => {
      it('round-trips a request and its reply with every value type', async () => {
        const { client } = await echoPair();
        const message = {
          cmd: '_return',
          n: 42,
          neg: -7,
          f: 1.5,
          ok: true,
          none: null,
          list: [1, 'two', [3]],
          bytes: new Uint8Array([0, 255, 128, 1]),
          text: 'héllo wörld',
        };
        expect(await client.request(message, { timeout: 5000 })).toEqual({ echo: message });
        expect(client.connected).toBe(true);
      });

      it('answers 1,000 concurrent requests, each with its own reply', async () => {
        const { client } = await echoPair();
        const replies = await Promise.all(
          Array.from({ length: 1000 }, (_, i) => client.request({ i }, { timeout: 20_000 })),
        );
        replies.forEach((reply, i) => expect(reply).toEqual({ echo: { i } }));
      });

      it('carries an 8 MiB message both ways', async () => {
        const { client } = await echoPair({ maxMessageSize: 16 * 1024 * 1024 });
        await client.request({ login: true }, { timeout: 5000 }); // authenticates the connection
        const big = new Uint8Array(8 * 1024 * 1024);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
        big[0] = 0xff;
        const reply = (await client.request({ big }, { timeout: 30_000 })) as { echo: { big: Uint8Array } };
        expect(reply.echo.big.length).toBe(big.length);
        expect(Buffer.compare(Buffer.from(reply.echo.big), Buffer.from(big))).toBe(0);
      });

      it('delivers 10,000 small requests to the handler in the order sent', async () => {
        const t = make();
        const server = track(t.requestServer());
        const seen: number[] = [];
        const address = await server.listen(listenAt(), (msg) => {
          seen.push((msg as { i: number }).i);
          return true;
        });
        const client = track(t.requestClient());
        await client.connect(address, { timeout: 10_000 });
        await Promise.all(Array.from({ length: 10_000 }, (_, i) => client.request({ i }, { timeout: 60_000 })));
        expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
      });

      it('rejects a request that gets no reply in time with ERR_TIMEOUT, and an aborted one with ERR_ABORTED', async () => {
        const t = make();
        const server = track(t.requestServer());
        const address = await server.listen(listenAt(), () => new Promise(() => {}));
        const client = track(t.requestClient());
        await client.connect(address, { timeout: 10_000 });
        await expect(client.request({ x: 1 }, { timeout: 100 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
        const controller = new AbortController();
        const pending = client.request({ x: 2 }, { signal: controller.signal });
        controller.abort();
        await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      });

      it('reconnects after a server restart and requests go on', async () => {
        const t = make();
        let server: RequestServer = t.requestServer();
        const address = await server.listen(listenAt(), () => 'first');
        const client = track(t.requestClient());
        await client.connect(address, { timeout: 10_000 });
        expect(await client.request({}, { timeout: 5000 })).toBe('first');

        const disconnected = client.events.once('disconnect', { signal: AbortSignal.timeout(10_000) });
        await server.close();
        await disconnected;
        server = track(t.requestServer());
        await server.listen(address, () => 'second');
        await client.events.once('connect', { signal: AbortSignal.timeout(10_000) });
        expect(await client.request({}, { timeout: 10_000 })).toBe('second');
      });

      it('rejects an in-flight request with a typed error when the client closes', async () => {
        const t = make();
        const server = track(t.requestServer());
        const received = defer<void>();
        const address = await server.listen(listenAt(), () => {
          received.resolve();
          return new Promise(() => {});
        });
        const client = t.requestClient();
        await client.connect(address, { timeout: 10_000 });
        const pending = client.request({ slow: true }, { timeout: 30_000 });
        pending.catch(() => {});
        await received.promise;
        await client.close();
        const error = await pending.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(BrineError);
        expect((error as BrineErrorType).code).toBe('ERR_CLOSED');
        await client.close(); // idempotent
        await client.closed;
        await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_CLOSED' });
      });

      it('refuses to send a message over its own size limit', async () => {
        const { client } = await echoPair({ maxMessageSize: 64 * 1024 });
        await expect(client.request({ big: new Uint8Array(128 * 1024) })).rejects.toMatchObject({
          code: 'ERR_MESSAGE_TOO_LARGE',
        });
        expect(await client.request({ small: 1 }, { timeout: 5000 })).toEqual({ echo: { small: 1 } });
      });

      it('refuses an oversized frame from a peer and keeps serving others', async () => {
        const t = make({ maxMessageSize: 64 * 1024 * 1024 });
        const { logger, records } = createMemoryLogger('debug');
        const server = track(make({ maxMessageSize: 256 * 1024, logger }).requestServer());
        const errors: BrineErrorType[] = [];
        server.events.on('error', (e) => errors.push(e));
        let handled = 0;
        const address = await server.listen(listenAt(), (msg) => {
          handled++;
          return { echo: msg };
        });
        const big = t.requestClient();
        track(big);
        await big.connect(address, { timeout: 10_000 });
        const outcome = await big.request({ big: new Uint8Array(1024 * 1024) }, { timeout: 3000 }).then(
          () => 'answered',
          (e: BrineErrorType) => e.code,
        );
        expect(outcome).not.toBe('answered');
        expect(handled).toBe(0);
        if (reports.oversize) {
          expect(errors.map((e) => e.code)).toContain('ERR_MESSAGE_TOO_LARGE');
          expect(records.some((r) => (r.error as BrineErrorType | undefined)?.code === 'ERR_MESSAGE_TOO_LARGE')).toBe(
            true,
          );
        }
        const good = track(t.requestClient());
        await good.connect(address, { timeout: 10_000 });
        expect(await good.request({ ok: 1 }, { timeout: 5000 })).toEqual({ echo: { ok: 1 } });
      });

      if (spec.rawSockets !== false)
        it('drops a connection that sends garbage, logs a typed error, keeps serving others', async () => {
          const { logger, records } = createMemoryLogger('debug');
          const t = make({ logger });
          const server = track(t.requestServer());
          const errors: BrineErrorType[] = [];
          server.events.on('error', (e) => errors.push(e));
          const address = await server.listen(listenAt(), (msg) => ({ echo: msg }));
          const client = track(make().requestClient());
          await client.connect(address, { timeout: 10_000 });

          const raw = await rawConnect(address);
          raw.write(spec.garbage ?? new Uint8Array([0xc1, 0xc1, 0xc1, 0xff, 0x00, 0x13, 0x37]));
          await raw.closed; // the server hangs up
          if (reports.garbage) {
            expect(errors.length).toBeGreaterThan(0);
            expect(errors[0]).toBeInstanceOf(BrineError);
            expect(records.some((r) => isBrineError(r.error))).toBe(true);
          }
          expect(await client.request({ still: 'here' }, { timeout: 5000 })).toEqual({ echo: { still: 'here' } });
        });

      if (spec.rawSockets !== false)
        it('drops a peer that connects and sends nothing', async () => {
          const t = make({ idleTimeout: 200 });
          const server = track(t.requestServer());
          const errors: BrineErrorType[] = [];
          server.events.on('error', (e) => errors.push(e));
          const address = await server.listen(listenAt(), (msg) => ({ echo: msg }));
          const raw = await rawConnect(address);
          await raw.closed;
          if (reports.idle) expect(errors.map((e) => e.code)).toContain('ERR_IDLE_TIMEOUT');
          const client = track(make().requestClient());
          await client.connect(address, { timeout: 10_000 });
          expect(await client.request(1, { timeout: 5000 })).toEqual({ echo: 1 });
        });

      it('keeps one target per client: connecting it elsewhere is ERR_INVALID_STATE', async () => {
        const { client, address } = await echoPair();
        await client.connect(address, { timeout: 5000 }); // the same target again is fine
        const other = track(make().requestServer());
        const elsewhere = await other.listen(listenAt(), () => null);
        await expect(client.connect(elsewhere, { timeout: 1000 })).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' });
        expect(await client.request('still', { timeout: 5000 })).toEqual({ echo: 'still' });
      });

      it('refuses to listen on a port another server holds, with a typed error, and serves on', async () => {
        const { client, address } = await echoPair();
        const second = make().requestServer();
        const error = await second
          .listen(address, () => null)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        await second.close();
        expect(error).toBeInstanceOf(BrineError);
        expect(error).toMatchObject({ code: ErrorCodes.ADDRESS_IN_USE });
        expect(await client.request('ok', { timeout: 5000 })).toEqual({ echo: 'ok' });
      });

      it('gives up connecting to an unreachable server with ERR_TIMEOUT', async () => {
        const address = await (spec.unreachableAddress?.() ?? freeLoopbackPort());
        const client = track(make().requestClient());
        await expect(client.connect(address, { timeout: 300 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
      });
    });

    if (spec.raw) registerBoundsCases({ make, track, listenAt, wire: spec.raw });

    describe('publish', () => {
      async function pubSetup(n: number, extra: TransportOptions = {}) {
        const t = make(extra);
        const server = track(t.publishServer());
        const address = await server.listen(listenAt());
        const clients: PublishClient[] = [];
        for (let i = 0; i < n; i++) {
          const c = track(t.publishClient());
          await c.connect(address, { timeout: 10_000, identity: `minion-${i}` });
          clients.push(c);
        }
        await waitForSubscribers(server, n);
        return { server, clients, address, t };
      }

      it('delivers 10,000 messages to one subscriber, all of them, in order', async () => {
        const { server, clients } = await pubSetup(1);
        const got = collect(clients[0]!, 10_000);
        for (let i = 0; i < 10_000; i++) await server.publish(seq(i));
        const msgs = await got;
        expect(msgs.map(seqOf)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
      });

      it('delivers 10,000 messages to each of 100 subscribers with nothing lost', async () => {
        const { server, clients } = await pubSetup(100);
        const all = clients.map((c) => collect(c, 10_000));
        for (let i = 0; i < 10_000; i++) await server.publish(seq(i));
        const results = await Promise.all(all);
        for (const msgs of results) {
          expect(msgs.length).toBe(10_000);
          expect(seqOf(msgs[0]!)).toBe(0);
          expect(seqOf(msgs[9_999]!)).toBe(9_999);
          expect(msgs.every((m, i) => seqOf(m) === i)).toBe(true);
        }
      }, 120_000);

      const capabilities = make().capabilities;

      if (capabilities.presence)
        it('awaits an async presence builder on every (re)connect and the server verifies it', async () => {
          const t = make();
          const server = track(t.publishServer());
          const seen: string[] = [];
          const address = await server.listen(listenAt(), {
            presence: async (msg) => {
              await new Promise((resolve) => setImmediate(resolve));
              return (msg as { id?: string }).id;
            },
          });
          server.events.on('presence', (_peer: PeerInfo, id: string) => seen.push(id));
          let built = 0;
          const client = track(t.publishClient());
          await client.connect(address, {
            timeout: 10_000,
            identity: 'omega',
            // Resolves only after a timer: a transport that does not await it would send a Promise.
            presence: async () => {
              await new Promise((resolve) => setTimeout(resolve, 20));
              built++;
              return { id: 'omega' };
            },
          });
          while (seen.length < 1) await server.events.once('presence', { signal: AbortSignal.timeout(10_000) });
          expect(seen).toEqual(['omega']);
          expect(built).toBe(1);
        });

      if (capabilities.targetedPublish)
        it('sends a targeted publish to its targets and no one else', async () => {
          const t = make();
          const server = track(t.publishServer());
          const identified: string[] = [];
          server.events.on('presence', (_peer: PeerInfo, id: string) => identified.push(id));
          const address = await server.listen(listenAt(), {
            presence: (msg) => (msg as { id?: string }).id,
          });
          const ids = ['alpha', 'beta', 'gamma'];
          const clients: PublishClient[] = [];
          for (const id of ids) {
            const c = track(t.publishClient());
            await c.connect(address, { timeout: 10_000, identity: id, presence: async () => ({ id }) });
            clients.push(c);
          }
          await waitForSubscribers(server, ids.length);
          while (identified.length < ids.length) {
            await server.events.once('presence', { signal: AbortSignal.timeout(10_000) });
          }
          const firsts = clients.map((c) => collect(c, 1));
          await server.publish(new Uint8Array([1, 0xff]), { topics: ['alpha', 'gamma'] });
          // A broadcast marker: a subscriber that sees it first never got the targeted message.
          await server.publish(new Uint8Array([2, 0xff]));
          const first = (await Promise.all(firsts)).map((m) => m[0]![0]);
          expect(first).toEqual([1, 2, 1]);
        });

      it('keeps delivering after the publish server restarts', async () => {
        const { server, clients, t, address } = await pubSetup(1);
        const client = clients[0]!;
        const a = collect(client, 1);
        await server.publish(seq(1));
        expect((await a).map(seqOf)).toEqual([1]);
        const disconnected = client.events.once('disconnect', { signal: AbortSignal.timeout(10_000) });
        await server.close();
        await disconnected;
        const server2 = track(t.publishServer());
        await server2.listen(address);
        await waitForSubscribers(server2, 1);
        const b = collect(client, 1);
        await server2.publish(seq(2));
        expect((await b).map(seqOf)).toEqual([2]);
      });

      it('ends the iteration of a subscriber when it closes', async () => {
        const { clients } = await pubSetup(1);
        const iterating = collect(clients[0]!, 1);
        await clients[0]!.close();
        expect(await iterating).toEqual([]);
      });
    });

    describe('lifecycle', () => {
      it('close() is idempotent and `closed` settles', async () => {
        const t = make();
        const server = t.requestServer();
        await server.listen(listenAt(), () => null);
        await Promise.all([server.close(), server.close()]);
        await server.closed;
        const pub = t.publishServer();
        await pub.listen(listenAt());
        await pub.close();
        await pub.closed;
      });

      it('leaves no handle open after close(): a process using it exits on its own', async () => {
        // Inside the package folder, so the script resolves the package by its own name.
        mkdirSync(join(spec.packageDir, '.tmp'), { recursive: true });
        const dir = mkdtempSync(join(spec.packageDir, '.tmp', 'leak-'));
        const script = join(dir, 'leak.mjs');
        writeFileSync(
          script,
          `import { ${spec.exportName} } from '${spec.packageName}';
const t = ${spec.exportName}(${JSON.stringify({ reconnect: FAST_RECONNECT, ...spec.options })});
const at = ${JSON.stringify(listenAt())};
const rs = t.requestServer();
const addr = await rs.listen(at, (m) => m);
const rc = t.requestClient();
await rc.connect(addr, { timeout: 10000 });
await rc.request({ a: 1 }, { timeout: 5000 });
const ps = t.publishServer();
const paddr = await ps.listen(at);
const pc = t.publishClient();
await pc.connect(paddr, { timeout: 10000, identity: 'leak' });
while (ps.subscriberCount < 1) await ps.events.once('connection');
const it = pc[Symbol.asyncIterator]();
const next = it.next();
await ps.publish(new Uint8Array([1, 2, 3]));
await next;
await rc.close(); await rs.close(); await pc.close(); await ps.close();
console.log('closed');
`,
        );
        const child = spawn(process.execPath, [script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
        expect(out).toContain('closed');
        expect(code).toBe(0);
      }, 30_000);
    });
  });
}
