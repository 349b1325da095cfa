#!/usr/bin/env node
// Bundles a browser minion (core + ws transport + the pure-JS Salt suite) with esbuild, minified,
// and prints its size and what tsyringe / reflect-metadata contribute. Run after `pnpm run build`:
//   node scripts/bundle-size.mjs [repo-dir]
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const dir = process.argv[2] ?? process.cwd();
const entry = `
import { createMinion, MemoryKeyStore } from '@brine/core';
import { wsTransport } from '@brine/transport-ws';
import { createForgeSaltSuite } from '@brine/crypto/forge';
window.brine = { createMinion, MemoryKeyStore, wsTransport, createForgeSaltSuite };
`;
const result = await build({
  stdin: { contents: entry, resolveDir: `${dir}/packages/transport-ws`, sourcefile: 'minion.js', loader: 'js' },
  nodePaths: [`${dir}/packages/core/node_modules`, `${dir}/packages/crypto/node_modules`, `${dir}/node_modules`],
  bundle: true,
  minify: true,
  write: false,
  metafile: true,
  platform: 'browser',
  format: 'esm',
  logLevel: 'error',
});
const out = result.outputFiles[0].contents;
const inputs = Object.values(result.metafile.outputs)[0].inputs;
const sum = (re) =>
  Object.entries(inputs)
    .filter(([path]) => re.test(path))
    .reduce((n, [, v]) => n + v.bytesInOutput, 0);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  JSON.stringify(
    {
      minified: kib(out.length),
      gzip: kib(gzipSync(out).length),
      tsyringe: kib(sum(/tsyringe/)),
      'reflect-metadata': kib(sum(/reflect-metadata/)),
      'node-forge': kib(sum(/node-forge/)),
      '@msgpack/msgpack': kib(sum(/@msgpack/)),
    },
    null,
    1,
  ),
);
