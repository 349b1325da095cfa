import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';

const entry = (subpath: string): string => fileURLToPath(new URL(`../dist/${subpath}/index.js`, import.meta.url));

describe('browser builds', () => {
  it.each(['forge', 'nacl'])('@brine/crypto/%s bundles for the browser without Node built-ins', async (subpath) => {
    const result = await build({
      entryPoints: [entry(subpath)],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('/packages/crypto/dist/node/'))).toBe(false);
    // `(disabled):crypto` entries are the packages' own browser-field stubs for their Node fallbacks.
    expect(inputs.filter((path) => path.startsWith('node:'))).toEqual([]);
    expect(inputs.some((path) => path.includes('/packages/core/dist/node/'))).toBe(false);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:/);
  });

  it('the node backend does not bundle for the browser (it needs node:crypto)', async () => {
    await expect(
      build({ entryPoints: [entry('node')], bundle: true, platform: 'browser', write: false, logLevel: 'silent' }),
    ).rejects.toThrow(/node:crypto/);
  });
});
