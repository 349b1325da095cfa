#!/usr/bin/env node
// Master handshake crypto per second: the plain node suite vs the pooled suite (private-key ops in
// worker threads) at several pool sizes, with many handshakes in flight. Runs against dist:
//   npx tsc -b packages/core packages/crypto && node packages/core/bench/pooled-handshake.mjs \
//     [--ms 3000] [--concurrency 64] [--reps 3] [--bits 2048] [--sizes 1,2,<cores>] [--inflight 8]
//
// One handshake is the crypto AuthServer.handle does for an accepted minion that sent a token:
//   open(master.pem, token) -> seal(minion.pub, token) -> seal x2 (aes, session) in parallel
//   -> sign(master.pem, reply); the X9.31 `sig` over the AES key is cached per key (not counted).
// Cells are interleaved across repetitions and the median is reported, because this machine's
// load varies. "cpu" is process CPU time / wall time (all threads); "per cpu-second" is handshakes
// per second of that CPU time (the pool's overhead, whatever else loads the machine); "main ELU"
// is the main thread's event-loop utilisation (headroom left for transports, msgpack, key store).
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createPooledSuite } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';

const cores = availableParallelism();
const { values } = parseArgs({
  options: {
    ms: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '64' },
    reps: { type: 'string', default: '3' },
    bits: { type: 'string', default: '2048' },
    sizes: { type: 'string', default: `1,2,${cores}` },
    inflight: { type: 'string', default: '8' },
  },
});
const budgetMs = Number(values.ms);
const concurrency = Number(values.concurrency);
const reps = Number(values.reps);
const bits = Number(values.bits);
const sizes = [...new Set(values.sizes.split(',').map(Number))];
const maxInFlightPerWorker = Number(values.inflight);

const base = createNodeSaltSuite();
const master = await base.generateKeyPair({ bits });
const minion = await base.generateKeyPair({ bits: 2048 });
const enc = new TextEncoder();
const sealedToken = await base.seal(master.publicKey, enc.encode(base.generateSessionKey().slice(0, 32)));
const aes = enc.encode(base.generateSessionKey());
const session = enc.encode(base.generateSessionKey());
const reply = base.randomBytes(1800); // dumps() of the accept reply: pub_key, aes, session, token, sig, nonce

async function handshake(suite) {
  const token = await suite.open(master.privateKey, sealedToken);
  await suite.seal(minion.publicKey, token);
  await Promise.all([suite.seal(minion.publicKey, aes), suite.seal(minion.publicKey, session)]);
  return suite.sign(master.privateKey, reply);
}

/** Handshakes/s with `concurrency` handshakes in flight for `ms`, after a warm-up. */
async function measure(suite, ms) {
  let count = 0;
  let stop = performance.now() + Math.min(500, ms / 4);
  const loop = async () => {
    while (performance.now() < stop) {
      await handshake(suite);
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop)); // warm-up
  count = 0;
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const start = performance.now();
  stop = start + ms;
  await Promise.all(Array.from({ length: concurrency }, loop));
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    rate: (count * 1000) / wall,
    cpu: (used.user + used.system) / 1000 / wall,
    elu: performance.eventLoopUtilization(elu).utilization,
  };
}

// Check first that the pooled suite answers like the base suite.
const check = createPooledSuite(base, { module: '@brine/crypto/node', exportName: 'createNodeSaltSuite', size: 1 });
const expected = Buffer.from(await base.sign(master.privateKey, reply));
if (!expected.equals(Buffer.from(await handshake(check)))) throw new Error('pooled signature differs from base');
await check.close();

const cells = [{ name: 'plain node suite', suite: base }];
for (const size of sizes) {
  const suite = createPooledSuite(base, {
    module: '@brine/crypto/node',
    exportName: 'createNodeSaltSuite',
    size,
    maxInFlightPerWorker,
  });
  await suite.ready();
  const label = size === cores ? `${size} = availableParallelism()` : String(size);
  cells.push({ name: `pooled, size ${label}`, suite });
}

const results = new Map(cells.map((c) => [c.name, []]));
for (let rep = 0; rep < reps; rep++) {
  for (const cell of cells) results.get(cell.name).push(await measure(cell.suite, budgetMs));
}
for (const cell of cells) if (cell.suite !== base) await cell.suite.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plain = median(results.get(cells[0].name).map((r) => r.rate));
console.log(
  `node ${process.version}, ${cores} cores, RSA-${bits} master key, ${concurrency} handshakes in flight, ` +
    `${reps} x ${budgetMs} ms per cell (median), maxInFlightPerWorker ${maxInFlightPerWorker}`,
);
console.log('| suite | handshakes/s | vs plain | cpu (cores) | per cpu-second | main ELU | runs |');
console.log('|---|---|---|---|---|---|---|');
for (const cell of cells) {
  const runs = results.get(cell.name);
  const rate = median(runs.map((r) => r.rate));
  const cpu = median(runs.map((r) => r.cpu));
  const elu = median(runs.map((r) => r.elu));
  const perCpu = median(runs.map((r) => r.rate / r.cpu));
  const all = runs.map((r) => Math.round(r.rate)).join(' / ');
  console.log(
    `| ${cell.name} | ${Math.round(rate)} | ${(rate / plain).toFixed(2)}x | ${cpu.toFixed(2)} | ${Math.round(perCpu)} | ${(elu * 100).toFixed(0)}% | ${all} |`,
  );
}
