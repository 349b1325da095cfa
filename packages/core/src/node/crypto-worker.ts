/**
 * Worker entry of {@link createPooledSuite}: builds its own CryptoSuite from the backend module
 * named in `workerData` and runs the private-key operations on keys registered by PEM.
 */
import { threadId, workerData } from 'node:worker_threads';
import {
  StateError,
  type AlgoOptions,
  type CryptoSuite,
  type PrivateKey,
  ConfigError,
  ErrorCodes,
} from '@brine/contracts';
import { serveWorker } from './worker-host.js';

export interface CryptoWorkerData {
  /** Module specifier, resolved from this file (use an absolute `file:` URL to be safe). */
  module: string;
  exportName: string;
  factoryOptions?: unknown;
}

/** What `describe` answers. */
export interface CryptoWorkerInfo {
  id: string;
  backend: string;
  threadId: number;
}

async function loadSuite(data: CryptoWorkerData): Promise<CryptoSuite> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(data.module)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(ErrorCodes.CONFIG, `Cannot load crypto backend module "${data.module}"`, { cause: error });
  }
  const factory = exports[data.exportName];
  if (typeof factory !== 'function') {
    throw new ConfigError(
      ErrorCodes.CONFIG,
      `Crypto backend module "${data.module}" has no function export "${data.exportName}"`,
    );
  }
  const suite = (await (factory as (options: unknown) => unknown)(data.factoryOptions)) as CryptoSuite;
  if (typeof suite?.importPrivateKey !== 'function' || typeof suite.sign !== 'function') {
    throw new ConfigError(ErrorCodes.CONFIG, `"${data.exportName}" of "${data.module}" did not return a CryptoSuite`);
  }
  return suite;
}

/** Results travel as copies: a view into a larger buffer would copy the whole buffer. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

serveWorker(async () => {
  const suite = await loadSuite(workerData as CryptoWorkerData);
  const keys = new Map<number, PrivateKey | Error>();
  const key = (id: number): PrivateKey => {
    const entry = keys.get(id);
    if (entry === undefined) {
      throw new StateError(ErrorCodes.INVALID_STATE, `Private key ${id} is not registered in worker ${threadId}`);
    }
    if (entry instanceof Error) throw entry;
    return entry;
  };
  return {
    describe: (): CryptoWorkerInfo => ({ id: suite.id, backend: suite.backend, threadId }),
    key: (id: number, pem: string): void => {
      try {
        keys.set(id, suite.importPrivateKey(pem));
      } catch (error) {
        keys.set(id, error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    },
    forget: (id: number): boolean => keys.delete(id),
    open: async (id: number, data: Uint8Array, options?: AlgoOptions) => own(await suite.open(key(id), data, options)),
    sign: async (id: number, data: Uint8Array, options?: AlgoOptions) => own(await suite.sign(key(id), data, options)),
    signToken: async (id: number, message: Uint8Array) => own(await suite.signToken(key(id), message)),
  };
});
