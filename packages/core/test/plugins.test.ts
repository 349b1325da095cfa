import { describe, expect, it } from 'vitest';
import {
  BUILTIN_CRYPTO_SUITES,
  BUILTIN_TRANSPORT_NAMES,
  loadCryptoSuite,
  loadTransport,
  pluginNameProblem,
} from '@brine/core/node';

const from = { from: [import.meta.url] };

describe('transports and crypto suites loaded by name', () => {
  it.each(BUILTIN_TRANSPORT_NAMES)('loads the built-in transport %s by its short name', async (name) => {
    const { value } = await loadTransport(name, from);
    expect(value.name).toBe(name);
  });

  it('loads a transport by package name, through its default export', async () => {
    const tcp = await loadTransport('@brine/transport-tcp', from);
    expect(tcp.value.name).toBe('tcp');
    expect(tcp.exportName).toBe('default');
    const memory = await loadTransport('@acme/brine-transport-memory', from);
    expect(memory.value.name).toBe('memory');
    expect(memory.module).toMatch(/^file:.*transport-memory\/dist\/index\.js$/);
  });

  it('names the package when it is missing or exports no transport (ERR_UNKNOWN_TRANSPORT)', async () => {
    await expect(loadTransport('@acme/not-installed-anywhere', from)).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_TRANSPORT',
      message: expect.stringContaining('package @acme/not-installed-anywhere is not installed'),
    });
    await expect(loadTransport('@brine/contracts', from)).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_TRANSPORT',
      message: expect.stringContaining('package @brine/contracts exports no transport'),
    });
    await expect(loadTransport('not a name', from)).rejects.toMatchObject({ code: 'ERR_UNKNOWN_TRANSPORT' });
  });

  it.each(Object.keys(BUILTIN_CRYPTO_SUITES))('loads the built-in crypto suite %s', async (name) => {
    const { value, module, exportName } = await loadCryptoSuite(name, from);
    expect(['salt', 'nacl']).toContain(value.id);
    expect(name.startsWith(value.id)).toBe(true);
    // What a worker thread needs to build the same suite again.
    const again = ((await import(module)) as Record<string, () => { id: string }>)[exportName]!();
    expect(again.id).toBe(value.id);
  });

  it('refuses a crypto package that exports no suite (ERR_UNSUPPORTED_SUITE)', async () => {
    await expect(loadCryptoSuite('@brine/transport-tcp', from)).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED_SUITE',
      message: expect.stringContaining('exports no crypto suite'),
    });
  });

  it('tells a config value that can name a plugin from one that cannot', () => {
    expect(pluginNameProblem('transport', 'zeromq')).toBeUndefined();
    expect(pluginNameProblem('transport', '@acme/brine-transport-x')).toBeUndefined();
    expect(pluginNameProblem('transport', 'Zero MQ')).toMatch(/one of zeromq, tcp, ws or a package name/);
    expect(pluginNameProblem('crypto', 42)).toMatch(/crypto must be one of salt, nacl/);
  });
});
