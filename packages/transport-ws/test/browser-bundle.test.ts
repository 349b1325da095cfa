/**
 * The browser build imports nothing Node-only: esbuild bundles it for `platform: 'browser'` and the
 * test fails on any Node built-in (`node:*`, `fs`, `http`...) or the `ws` package in the graph.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

async function bundle(contents: string): Promise<{ nodeImports: string[]; inputs: string[]; code: string }> {
  const nodeImports: string[] = [];
  const recordNode: Plugin = {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.path.startsWith('node:') || builtins.has(args.path) || builtins.has(args.path.split('/')[0]!)) {
          nodeImports.push(`${args.path} (from ${args.importer})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  const result = await build({
    stdin: { contents, resolveDir: packageDir, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
    plugins: [recordNode],
  });
  return {
    nodeImports,
    inputs: Object.keys(result.metafile.inputs),
    code: result.outputFiles[0]!.text,
  };
}

describe('browser build', () => {
  for (const specifier of ['@brine/transport-ws', '@brine/transport-ws/browser']) {
    it(`${specifier} (browser condition) bundles for the browser without Node built-ins or ws`, async () => {
      const { nodeImports, inputs, code } = await bundle(
        `import { wsTransport, WsRequestClient, WsPublishClient } from '${specifier}';\n` +
          `globalThis.brine = { wsTransport, WsRequestClient, WsPublishClient };`,
      );
      expect(nodeImports).toEqual([]);
      expect(inputs.filter((p) => /node_modules\/(\.pnpm\/)?ws[@/]/.test(p))).toEqual([]);
      expect(inputs.some((p) => p.includes('transport-ws/dist/browser.js'))).toBe(true);
      expect(code).toContain('WebSocket');
    });
  }

  it('the source entry bundles clean as well', async () => {
    const { nodeImports } = await bundle(`export * from './src/browser.ts';`);
    expect(nodeImports).toEqual([]);
  });

  it('the Node entry, by contrast, pulls in Node built-ins (the check can fail)', async () => {
    const { nodeImports } = await bundle(`export * from './src/index.ts';`);
    expect(nodeImports.length).toBeGreaterThan(0);
  });
});
