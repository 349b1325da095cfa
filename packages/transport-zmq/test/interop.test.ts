/**
 * Salt-side peers against the Brine request server: a raw zeromq.js REQ socket (what a
 * salt-minion's request client is), and, when a Salt venv is at hand, Salt's own
 * `salt.transport.zeromq.RequestClient` plus a bare pyzmq REQ socket.
 */
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Request } from 'zeromq';
import { dumps, loads, type Closable, type RequestServer } from '@brine/contracts';
import { zmqTransport } from '../src/index.js';
import { FAST_RECONNECT } from './helpers.js';
import { endpointOf, LOOPBACK } from './helpers.js';

// BRINE_SALT_PYTHON, else the repository's CI venv, else a local Salt venv.
const SALT_PYTHON =
  process.env.BRINE_SALT_PYTHON ??
  [
    fileURLToPath(new URL('../../../.venv/salt-3008/bin/python', import.meta.url)),
    '/tmp/saltvenv/v3008/bin/python',
  ].find((p) => existsSync(p)) ??
  '/tmp/saltvenv/v3008/bin/python';
const hasSaltPython = existsSync(SALT_PYTHON);
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SCRIPT = fixture('salt_req_client.py');

const opened: Array<Closable | { close(): void }> = [];
afterEach(async () => {
  for (const x of opened.splice(0)) await x.close();
});

async function echoServer(): Promise<{ server: RequestServer; endpoint: string }> {
  const server = zmqTransport().requestServer();
  opened.push(server);
  const address = await server.listen(LOOPBACK, (msg) => ({ echo: msg }));
  return { server, endpoint: endpointOf(address) };
}

describe('a REQ socket, as a salt-minion uses, against the Brine request server', () => {
  it('gets a reply to each of its requests, one at a time', async () => {
    const { endpoint } = await echoServer();
    const req = new Request({ linger: 0, reconnectMaxInterval: 5000 }); // Salt's REQ options
    opened.push(req);
    req.connect(endpoint);
    for (let i = 0; i < 5; i++) {
      const load = { enc: 'clear', load: { cmd: '_auth', id: 'minion1', n: i }, version: 3 };
      await req.send(dumps(load));
      const frames = await req.receive();
      expect(frames).toHaveLength(1); // REQ strips the [b""] delimiter the server echoed
      expect(loads(new Uint8Array(frames[0]!))).toEqual({ echo: load });
    }
  });

  it('serves 50 REQ sockets at once, each its own reply', async () => {
    const { endpoint } = await echoServer();
    const sockets = Array.from({ length: 50 }, () => {
      const s = new Request({ linger: 0 });
      opened.push(s);
      s.connect(endpoint);
      return s;
    });
    const replies = await Promise.all(
      sockets.map(async (s, i) => {
        await s.send(dumps({ i }));
        const [body] = await s.receive();
        return loads(new Uint8Array(body!));
      }),
    );
    replies.forEach((r, i) => expect(r).toEqual({ echo: { i } }));
  });
});

describe.skipIf(!hasSaltPython)(`Salt's own client (${SALT_PYTHON})`, () => {
  it("salt.transport.zeromq.RequestClient and a pyzmq REQ socket get Brine's replies", async () => {
    const { endpoint } = await echoServer();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(SALT_PYTHON, [SCRIPT, endpoint], { timeout: 60_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
    if (!('salt_skipped' in result)) {
      expect(result.salt).toEqual(
        [0, 1, 2].map((n) => ({ echo: { cmd: '_return', id: 'minion1', n, blob: { $hex: 'ff0080' } } })),
      );
    }
    expect(result.pyzmq).toEqual({ echo: { cmd: 'ping', id: 'minion1' } });
    // An undecodable body gets Salt's own answer rather than silence.
    expect(result.garbage).toEqual({ msg: 'bad load' });
  }, 90_000);

  it("the pipelining DEALER client works through Salt's ROUTER -> QUEUE device -> REP workers", async () => {
    const child = spawn(SALT_PYTHON, [fixture('salt_req_server.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    opened.push({ close: () => void child.stdin.end() });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const endpoint = String((await lines.next()).value);
    const port = Number(/:(\d+)$/.exec(endpoint)![1]);
    const client = zmqTransport({ reconnect: FAST_RECONNECT, requestPipelining: true }).requestClient();
    opened.push(client);
    await client.connect({ host: '127.0.0.1', port }, { timeout: 10_000 });
    const replies = (await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        client.request({ cmd: '_return', i, blob: new Uint8Array([0xff, i & 0xff]) }, { timeout: 20_000 }),
      ),
    )) as Array<{ echo: { i: number; blob: Uint8Array }; worker: number }>;
    replies.forEach((r, i) => {
      expect(r.echo.i).toBe(i);
      expect([...r.echo.blob]).toEqual([0xff, i & 0xff]);
    });
    // Several REP workers answered, each through its own envelope.
    expect(new Set(replies.map((r) => r.worker)).size).toBeGreaterThan(1);
    await client.close();
    child.stdin.end();
    await exited;
  }, 60_000);

  it("Salt's PublishClient (zmq_filtering off) receives a Brine publish byte for byte", async () => {
    const server = zmqTransport().publishServer();
    opened.push(server);
    const address = (await server.listen(LOOPBACK)) as typeof LOOPBACK;
    const subscribed = server.events.once('connection', { signal: AbortSignal.timeout(20_000) });
    const child = spawn(SALT_PYTHON, [fixture('salt_pub_client.py'), String(address.port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    expect(JSON.parse(String((await lines.next()).value))).toEqual({ connected: true });
    await subscribed;
    const payload = dumps({ enc: 'aes', load: new Uint8Array([0xa0, 0xff, 0x00]) });
    await server.publish(payload);
    const got = JSON.parse(String((await lines.next()).value)) as { hex: string };
    expect(got.hex).toBe(Buffer.from(payload).toString('hex'));
  }, 60_000);
});
