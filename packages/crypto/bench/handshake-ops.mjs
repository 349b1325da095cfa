#!/usr/bin/env node
// Ops/s of each crypto suite for the operations of an auth handshake. Runs against dist:
//   npx tsc -b packages/crypto && node packages/crypto/bench/handshake-ops.mjs [--ms 1000] [--bits 2048]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createForgeSaltSuite, createNaclSuite, createNodeNaclSuite, createNodeSaltSuite } from '@brine/crypto';

const { values } = parseArgs({
  options: { ms: { type: 'string', default: '1000' }, bits: { type: 'string', default: '2048' } },
});
const budgetMs = Number(values.ms);
const bits = Number(values.bits);

/** Runs `fn` repeatedly for about `budgetMs` (after a short warm-up); returns ops/s. */
async function measure(fn) {
  const warm = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm < budgetMs / 5; i++) await fn();
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs || n < 5) {
    await fn();
    n++;
    elapsed = performance.now() - start;
  }
  return (n * 1000) / elapsed;
}

const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));

async function benchSuite(suite) {
  const { privateKey, publicKey } = await suite.generateKeyPair({ bits });
  const secret = new TextEncoder().encode(suite.generateSessionKey());
  const signed = crypto.getRandomValues(new Uint8Array(256));
  const tokenMessage = new TextEncoder().encode('420e2e9f2e3c8c5b67e7040d7e6bad564013137121a8e9db5f608589cd4c2d94');
  const sealed = await suite.seal(publicKey, secret);
  const signature = await suite.sign(privateKey, signed);
  const token = await suite.signToken(privateKey, tokenMessage);
  const cipher = suite.sessionCipher(suite.generateSessionKey());
  const kib = crypto.getRandomValues(new Uint8Array(1024));
  const blob = cipher.encrypt(kib);

  const r = {};
  r.seal = await measure(() => suite.seal(publicKey, secret));
  r.open = await measure(() => suite.open(privateKey, sealed));
  r.sign = await measure(() => suite.sign(privateKey, signed));
  r.verify = await measure(() => suite.verify(publicKey, signed, signature));
  r.signToken = await measure(() => suite.signToken(privateKey, tokenMessage));
  r.recoverToken = await measure(() => suite.recoverToken(publicKey, token));
  r['encrypt 1 KiB'] = await measure(() => cipher.encrypt(kib));
  r['decrypt 1 KiB'] = await measure(() => cipher.decrypt(blob));
  const cost = (counts) => 1 / Object.entries(counts).reduce((t, [op, n]) => t + n / r[op], 0);
  // The accept reply: open the request token, seal token/aes/session, sign the reply.
  r['master handshake (1 open + 1 sign + 3 seal)'] = cost({ open: 1, sign: 1, seal: 3 });
  // Salt's reply also carries the X9.31 `sig` over sha256(aes).
  r['master handshake + X9.31 sig'] = cost({ open: 1, sign: 1, seal: 3, signToken: 1 });
  // Minion: seal the token; open aes, session, token; recover sig; verify the clear signature.
  r['minion handshake (1 seal + 3 open + recover + verify)'] = cost({ seal: 1, open: 3, recoverToken: 1, verify: 1 });
  return r;
}

const suites = [createNodeSaltSuite(), createForgeSaltSuite(), createNaclSuite(), createNodeNaclSuite()];
console.log(`node ${process.version}, RSA-${bits} for the Salt suites, ~${budgetMs} ms per op, one thread\n`);
const results = [];
for (const suite of suites) results.push([`${suite.id}/${suite.backend}`, await benchSuite(suite)]);

const ops = Object.keys(results[0][1]);
const header = ['operation (ops/s)', ...results.map(([name]) => name)];
const rows = ops.map((op) => [op, ...results.map(([, r]) => fmt(r[op]))]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of rows) console.log(line(row));
