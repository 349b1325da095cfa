import {
  ConfigError,
  ErrorCodes,
  TransportRegistry,
  type CryptoSuite,
  type Logger,
  type TransportFactory,
} from '@brine/contracts';
import { availableParallelism } from 'node:os';
import {
  BUILTIN_TRANSPORT_NAMES,
  createPooledSuite,
  loadCryptoSuite,
  loadTransport,
  type LoadPluginOptions,
} from '@brine/core/node';

/** Packages are looked up from the CLI's own install (the built-ins), then from the current directory. */
const FROM: LoadPluginOptions = { from: [import.meta.url] };

export interface LoadedTransports {
  /** Every transport that loaded, for `DaemonWiring.transports` (a TransportRegistry list). */
  factories: TransportFactory[];
  /** Transports that could not load (a missing native module), by name, with the reason. */
  unavailable: Map<string, Error>;
}

/** Loads the built-in transports (all of them, or the ones named); each loads on its own, so a broken one only breaks itself. */
export async function loadTransports(names: readonly string[] = BUILTIN_TRANSPORT_NAMES): Promise<LoadedTransports> {
  const factories: TransportFactory[] = [];
  const unavailable = new Map<string, Error>();
  await Promise.all(
    names.map(async (name) => {
      try {
        factories.push((await loadTransport(name, FROM)).value);
      } catch (error) {
        unavailable.set(name, error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
  return { factories, unavailable };
}

/**
 * The transport a daemon's config names, a built-in or a package (`transport: '@acme/brine-transport-x'`),
 * registered under that name. ConfigError `ERR_UNKNOWN_TRANSPORT` (exit 2) naming the package if it cannot load.
 */
export async function transportsFor(transport: string): Promise<TransportRegistry> {
  let factory: TransportFactory;
  try {
    factory = (await loadTransport(transport, FROM)).value;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      ErrorCodes.UNKNOWN_TRANSPORT,
      `transport '${transport}' is not available: ${(error as Error).message.split('\n')[0]}`,
      { cause: error, details: { transport } },
    );
  }
  return new TransportRegistry().register(factory, factory.name === transport ? [] : [transport]);
}

export interface SuiteChoice {
  /** A built-in suite (`salt`: Salt's RSA/AES on node:crypto; `nacl`: Brine-to-Brine) or a package. */
  crypto: string;
  /** Master only: run private-key operations on this many worker threads (0 = none). */
  worker_threads?: number;
}

export interface BuiltSuite {
  suite: CryptoSuite;
  /** Stops the worker pool, if any. */
  close(): Promise<void>;
}

/** `worker_threads`: -1 means one thread per core, and no pool on a single core (it would only add hops). */
export function poolSize(workerThreads: number): number {
  if (workerThreads >= 0) return workerThreads;
  const cores = availableParallelism();
  return cores >= 2 ? cores : 0;
}

/** The crypto suite a config asks for; with `worker_threads > 0`, the pooled suite over it (or the plain one if the pool cannot start). */
export async function buildSuite(choice: SuiteChoice, logger: Logger): Promise<BuiltSuite> {
  const loaded = await loadCryptoSuite(choice.crypto, FROM);
  const base = loaded.value;
  const threads = poolSize(choice.worker_threads ?? 0);
  if (threads <= 0) return { suite: base, close: async () => {} };
  const pooled = createPooledSuite(base, {
    module: loaded.module,
    exportName: loaded.exportName,
    size: threads,
    unref: true,
    logger: logger.child('workers'),
  });
  try {
    await pooled.ready();
  } catch (error) {
    logger.warning(`Crypto worker pool did not start; using the main thread`, error);
    await pooled.close().catch(() => {});
    return { suite: base, close: async () => {} };
  }
  logger.debug(`Started ${threads} crypto worker thread(s) for ${choice.crypto}`);
  return { suite: pooled, close: () => pooled.close() };
}
const ALGORITHM_OPTIONS = [
  ['encryption_algorithm', 'encAlgos'],
  ['signing_algorithm', 'sigAlgos'],
  ['publish_signing_algorithm', 'sigAlgos'],
] as const;

const SALT_DEFAULT_ALGORITHMS: Readonly<Record<string, string>> = {
  encryption_algorithm: 'OAEP-SHA1',
  signing_algorithm: 'PKCS1v15-SHA1',
  publish_signing_algorithm: 'PKCS1v15-SHA1',
};

/**
 * The algorithm options for the chosen suite: Salt's defaults (RSA names) become the suite's first
 * algorithm (`crypto: nacl` signs with Ed25519); a value the suite does not speak is ERR_CONFIG.
 */
export function fitAlgorithms<C extends object>(config: C, suite: CryptoSuite): C {
  const out = { ...config } as Record<string, unknown>;
  for (const [option, list] of ALGORITHM_OPTIONS) {
    // Empty means "the suite's default" (core's config default).
    const value = out[option] === '' ? undefined : (out[option] ?? SALT_DEFAULT_ALGORITHMS[option]);
    const supported = suite[list];
    if (typeof value !== 'string' || supported.includes(value)) {
      if (value !== undefined) out[option] = value;
      continue;
    }
    if (value === SALT_DEFAULT_ALGORITHMS[option] && supported[0] !== undefined) {
      out[option] = supported[0];
      continue;
    }
    throw new ConfigError(
      ErrorCodes.CONFIG,
      `${option} ${value} is not spoken by crypto '${suite.id}' (it speaks ${supported.join(', ')})`,
      {
        details: { option },
      },
    );
  }
  return out as C;
}
