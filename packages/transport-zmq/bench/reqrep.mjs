// Request/reply round trips through the Brine ZeroMQ transport vs raw zeromq.js DEALER/ROUTER,
// in the same run, at 1 and 128 requests in flight. The servers run in a child process.
//
//   npx tsc -b packages/transport-zmq && node packages/transport-zmq/bench/reqrep.mjs [--runs 3] [--size 64]
//
// Brine's figures include what the transport does per message: salt.payload dumps/loads of the
// envelope on both sides, request-id matching, the send queue and the in-flight window. The raw
// pair moves the same bytes with none of that (the server echoes the frames back).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Dealer, Router } from 'zeromq';
import { zmqTransport } from '../dist/index.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

if (args[0] === 'server') {
  const brine = zmqTransport().requestServer();
  const brineAddr = await brine.listen({ host: '127.0.0.1', port: 0 }, (msg) => msg);
  const router = new Router({ linger: 0, sendHighWaterMark: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const rawPort = Number(/:(\d+)$/.exec(router.lastEndpoint)[1]);
  void (async () => {
    for await (const frames of router) await router.send(frames); // echo, one send at a time
  })().catch(() => {});
  process.send({ brinePort: brineAddr.port, rawPort });
  process.on('disconnect', () => process.exit(1)); // the parent is gone: do not outlive it
  process.on('message', async () => {
    await brine.close();
    router.close();
    process.exit(0);
  });
} else {
  const runs = opt('runs', 3);
  const size = opt('size', 64);
  const child = fork(fileURLToPath(import.meta.url), ['server'], { stdio: 'inherit' });
  const ports = await new Promise((resolve) => child.once('message', resolve));
  const payload = new Uint8Array(size).fill(0xa5);
  payload[0] = 0xff; // not UTF-8: stays bytes on the wire, like a Crypticle blob
  const message = { enc: 'aes', load: payload, version: 3 };

  // Brine
  const client = zmqTransport({ requestPipelining: true }).requestClient();
  await client.connect({ host: '127.0.0.1', port: ports.brinePort }, { timeout: 10_000 });
  const brineOnce = () => client.request(message, { timeout: 30_000 });

  // Raw DEALER: [id, '', body], replies matched on id; one send at a time (EBUSY otherwise).
  const { dumps } = await import('@brine/contracts');
  const body = dumps(message);
  const dealer = new Dealer({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
  dealer.connect(`tcp://127.0.0.1:${ports.rawPort}`);
  const waiting = new Map();
  void (async () => {
    for await (const [id] of dealer) {
      const k = id.readUInt32BE(0);
      waiting.get(k)?.();
      waiting.delete(k);
    }
  })().catch(() => {});
  let tail = Promise.resolve();
  let nextId = 0;
  const empty = Buffer.alloc(0);
  const rawOnce = () =>
    new Promise((resolve, reject) => {
      const id = ++nextId >>> 0;
      const frame = Buffer.allocUnsafe(4);
      frame.writeUInt32BE(id, 0);
      waiting.set(id, resolve);
      tail = tail.then(() => dealer.send([frame, empty, body])).catch(reject);
    });

  async function measure(once, window, total) {
    const lat = new Float64Array(total);
    let issued = 0;
    const started = performance.now();
    const worker = async () => {
      while (issued < total) {
        const i = issued++;
        const t0 = performance.now();
        await once();
        lat[i] = performance.now() - t0;
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    const elapsed = performance.now() - started;
    lat.sort();
    const pct = (p) => lat[Math.min(total - 1, Math.floor(total * p))] * 1000;
    return { rps: total / (elapsed / 1000), p50: pct(0.5), p99: pct(0.99) };
  }

  const cells = [
    ['brine zmq', brineOnce],
    ['raw zeromq.js DEALER/ROUTER', rawOnce],
  ];
  const results = [];
  for (const window of [1, 128]) {
    const total = window === 1 ? 5000 : 50_000;
    for (const [name, once] of cells) {
      await measure(once, window, Math.min(total, 2000)); // warm-up
      const samples = [];
      for (let r = 0; r < runs; r++) samples.push(await measure(once, window, total));
      samples.sort((a, b) => a.rps - b.rps);
      const med = samples[Math.floor(samples.length / 2)];
      results.push({ transport: name, inFlight: window, total, ...med });
    }
  }
  console.log(
    `node ${process.version}, zeromq ${(await import('zeromq')).version}, ${size}-byte load, median of ${runs} runs`,
  );
  console.log('| transport | in flight | round trips/s | p50 µs | p99 µs |');
  console.log('|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.transport} | ${r.inFlight} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`,
    );
  }
  await client.close();
  dealer.close();
  child.send('stop');
}
