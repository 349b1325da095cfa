#!/usr/bin/env node
/**
 * Key store at scale: writes N fake but well-formed minion keys (one real RSA-2048 public key text
 * reused under every id) into a master pki_dir and times the file key store (`FsKeyStore`, built
 * in packages/core/dist): the first listing (index load), warm listing, glob match, sign-in lookup
 * (hit and miss), and `brine key -L` as a fresh process, beside a bare `node` start and
 * `brine --version` so process start and listing are told apart.
 *
 *   pnpm run build && node scripts/keystore-bench.mjs                 # 10,000 and 50,000 keys
 *   node scripts/keystore-bench.mjs --counts 10000 --runs 9 --keep /tmp/pki-10k
 *
 * Keys go 98% to minions/, 1% to minions_pre/, 1% to minions_rejected/. Figures are medians.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '10000,50000' },
    runs: { type: 'string', default: '7' },
    keep: { type: 'string' },
  },
});
const counts = values.counts.split(',').map(Number);
const runs = Number(values.runs);

const { FsKeyStore } = await import(join(root, 'packages/core/dist/node/index.js'));
const { KeyManager } = await import(join(root, 'packages/core/dist/index.js'));
const { createNodeSaltSuite } = await import(join(root, 'packages/crypto/dist/node/index.js'));
const cli = join(root, 'packages/cli/dist/bin.js');

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

function generate(dir, n) {
  const layout = { minions: Math.round(n * 0.98), minions_pre: Math.round(n * 0.01) };
  layout.minions_rejected = n - layout.minions - layout.minions_pre;
  let i = 0;
  for (const [sub, count] of Object.entries(layout)) {
    mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    for (let k = 0; k < count; k++, i++) writeFileSync(join(dir, sub, `web-${String(i).padStart(6, '0')}`), pem);
  }
  mkdirSync(join(dir, 'minions_denied'), { mode: 0o700 });
}

async function timeIt(fn, repeat = runs) {
  const out = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME);

/** Median wall time of `node args` as a fresh process, and (with /usr/bin/time) its median CPU time (user + sys). */
async function wall(args) {
  const walls = [];
  const cpus = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    if (hasTime) {
      const run = spawnSync(TIME, ['-f', 'CPU %U %S', process.execPath, ...args], { encoding: 'utf8' });
      walls.push(performance.now() - t0);
      const line = run.stderr.trim().split('\n').pop() ?? '';
      const [, user, sys] = line.split(' ');
      cpus.push((Number(user) + Number(sys)) * 1000);
    } else {
      execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
      walls.push(performance.now() - t0);
    }
  }
  return { wall: median(walls), cpu: cpus.length ? median(cpus) : undefined };
}

const suite = createNodeSaltSuite();
for (const n of counts) {
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), `brine-keys-${n}-`));
  try {
    const t0 = performance.now();
    generate(dir, n);
    console.log(`\n${n} keys in ${dir} (written in ${ms(performance.now() - t0)})`);

    const cold = await timeIt(async () => {
      const store = new FsKeyStore(dir);
      await new KeyManager(store, suite).list();
      await store.close?.();
    });
    const store = new FsKeyStore(dir);
    const manager = new KeyManager(store, suite);
    await manager.list();
    const warm = await timeIt(() => manager.list());
    const glob = await timeIt(() => manager.match('web-0012*'));
    const ids = Array.from(
      { length: 10_000 },
      (_, k) => `web-${String((k * 7919) % Math.round(n * 0.98)).padStart(6, '0')}`,
    );
    for (const id of ids) await store.getMinionKey('accepted', id); // caches the texts
    const hit =
      (await timeIt(async () => {
        for (const id of ids) await store.getMinionKey('accepted', id);
      })) / ids.length;
    const miss =
      (await timeIt(async () => {
        for (const id of ids.slice(0, 1000)) await store.getMinionKey('rejected', id);
      })) / 1000;
    await store.close?.();

    const node = await wall(['-e', '']);
    const version = await wall([cli, '--version']);
    const list = await wall([cli, 'key', '-L', '--pki-dir', dir, '--config-dir', dir, '--cachedir', dir]);
    console.log(`  first listing (index load, in process)   ${ms(cold)}`);
    console.log(`  warm listing (KeyManager.list)           ${ms(warm)}`);
    console.log(`  glob match 'web-0012*'                   ${ms(glob)}`);
    console.log(`  sign-in lookup, hit (getMinionKey)       ${(hit * 1000).toFixed(2)} µs`);
    console.log(`  sign-in lookup, miss (re-validated)      ${(miss * 1000).toFixed(2)} µs`);
    const both = (t) => `${ms(t.wall)} wall${t.cpu === undefined ? '' : `, ${ms(t.cpu)} CPU`}`;
    console.log(`  process start: node -e ''                ${both(node)}`);
    console.log(`  process start + CLI: brine --version     ${both(version)}`);
    console.log(`  brine key -L (fresh process)             ${both(list)}`);
    const beyond = (k) => (list[k] === undefined || version[k] === undefined ? '' : ms(list[k] - version[k]));
    console.log(`    of which beyond brine --version        ${beyond('wall')} wall, ${beyond('cpu')} CPU`);
  } finally {
    if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
