#!/usr/bin/env node
// Fair service probe (issue 10 item 8): a master in this process, two minions in a child process.
// "heavy" sends `_minion_event` requests of 100 events (minion_event_max_events) back to back (8 at a time); "light" sends
// one small request at a time. Prints light's p50/p99 alone and during the flood, for
// request_fair_slice 4 (default) and 0 (off).
//
//   pnpm run build && node scripts/fair-probe.mjs [--seconds 3] [--transport tcp]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMaster, createMinion, MemoryKeyStore } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const SECONDS = Number(opt('--seconds', 3));
const TRANSPORT = opt('--transport', 'tcp');
const transports = [tcpTransport(), wsTransport(), zmqTransport()];
const suite = createNodeSaltSuite();

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

if (process.argv[2] === '--child') {
  const [, , , role, port] = process.argv;
  const minion = createMinion(
    { id: role, transport: TRANSPORT, master: '127.0.0.1', master_port: Number(port), acceptance_wait_time: 0.1 },
    { transports, suite, keyStore: new MemoryKeyStore() },
  );
  await minion.start({ timeout: 20_000 });
  const next = () => new Promise((resolve) => process.once('message', resolve));
  if (role === 'heavy') {
    const events = Array.from({ length: Number(process.env.FAIR_EVENTS ?? 100) }, (_, i) => ({
      tag: `salt/minion/heavy/e${i}`,
      data: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`k${k}`, `value ${i} ${k}`])),
    }));
    process.send('ready');
    await next(); // go
    let flooding = true;
    let sent = 0;
    void next().then(() => (flooding = false)); // stop
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (flooding) {
          await minion.request('_minion_event', { events }).catch(() => {});
          sent++;
        }
      }),
    );
    process.send({ sent });
  } else {
    const probe = async (ms) => {
      const lat = [];
      const end = performance.now() + ms;
      while (performance.now() < end) {
        const t0 = performance.now();
        await minion.request('_minion_event', { events: [{ tag: 'salt/minion/light/ping', data: {} }] });
        lat.push(performance.now() - t0);
      }
      return lat;
    };
    process.send({ alone: await probe(SECONDS * 1000) });
    await next(); // the flood runs
    process.send({ during: await probe(SECONDS * 1000) });
  }
  await minion.close();
  process.exit(0);
}

const message = (child) => new Promise((resolve) => child.once('message', resolve));

for (const slice of [4, 0]) {
  const master = createMaster(
    {
      transport: TRANSPORT,
      interface: '127.0.0.1',
      ret_port: 0,
      publish_port: 0,
      auto_accept: true,
      request_fair_slice: slice,
    },
    { transports, suite, keyStore: new MemoryKeyStore() },
  );
  const { request } = await master.start();
  const spawn = (role) =>
    fork(fileURLToPath(import.meta.url), [
      '--child',
      role,
      String(request.port),
      '--transport',
      TRANSPORT,
      '--seconds',
      String(SECONDS),
    ]);
  const heavy = spawn('heavy');
  await message(heavy); // ready
  const light = spawn('light');
  const { alone } = await message(light);
  heavy.send('go');
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the flood start
  light.send('go');
  const { during } = await message(light);
  heavy.send('stop');
  const { sent } = await message(heavy);
  const result = { alone, during, heavySent: sent };
  await Promise.all(
    [heavy, light].map((c) => new Promise((resolve) => (c.exitCode === null ? c.on('exit', resolve) : resolve()))),
  );
  await master.close();
  const f = (xs) => `p50 ${pct(xs, 50).toFixed(2)} ms p99 ${pct(xs, 99).toFixed(2)} ms (n ${xs.length})`;
  console.log(
    `${TRANSPORT} request_fair_slice ${slice}: light alone ${f(result.alone)}; during the heavy flood ${f(result.during)}; ` +
      `p99 ratio ${(pct(result.during, 99) / pct(result.alone, 99)).toFixed(1)}x; heavy requests ${result.heavySent}`,
  );
}
