import { ConfigError, ErrorCodes, type CryptoSuite, type Logger, type TransportFactory } from '@brine/contracts';
import { availableParallelism } from 'node:os';
import { createPooledSuite } from '@brine/core/node';

export interface LoadedTransports {
  /** Every transport that loaded, for `DaemonWiring.transports` (a TransportRegistry list). */
  factories: TransportFactory[];
  /** Transports that could not load (a missing native module), by name, with the reason. */
  unavailable: Map<string, Error>;
}

/** The three transports by Salt name; each package loads on its own, so a broken one only breaks itself. */
const TRANSPORT_LOADERS: ReadonlyArray<[string, () => Promise<TransportFactory>]> = [
  ['zeromq', async () => (await import('@brine/transport-zmq')).zmqTransport()],
  ['tcp', async () => (await import('@brine/transport-tcp')).tcpTransport()],
  ['ws', async () => (await import('@brine/transport-ws')).wsTransport()],
];

/** Loads the transports (all of them, or the ones named). */
export async function loadTransports(names?: readonly string[]): Promise<LoadedTransports> {
  const wanted = TRANSPORT_LOADERS.filter(([name]) => !names || names.includes(name));
  const factories: TransportFactory[] = [];
  const unavailable = new Map<string, Error>();
  await Promise.all(
    wanted.map(async ([name, load]) => {
      try {
        factories.push(await load());
      } catch (error) {
        unavailable.set(name, error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
  return { factories, unavailable };
}

/** The transports for a daemon whose config names `transport`; ERR_UNKNOWN_TRANSPORT (exit 2) if it cannot load. */
export async function transportsFor(transport: string): Promise<TransportFactory[]> {
  const loaded = await loadTransports();
  const failure = loaded.unavailable.get(transport);
  if (failure) {
    throw new ConfigError(
      `transport '${transport}' is not available: ${failure.message.split('\n')[0]}`,
      { cause: failure, details: { transport } },
      ErrorCodes.UNKNOWN_TRANSPORT,
    );
  }
  return loaded.factories;
}

export interface SuiteChoice {
  /** `salt` (RSA/AES, Salt's scheme on node:crypto) or `nacl` (Brine-to-Brine). */
  crypto: string;
  /** Master only: run private-key operations on this many worker threads (0 = none). */
  worker_threads?: number;
}

export interface BuiltSuite {
  suite: CryptoSuite;
  /** Stops the worker pool, if any. */
  close(): Promise<void>;
}

const BACKENDS: Readonly<Record<string, { module: string; exportName: string }>> = {
  salt: { module: '@brine/crypto/node', exportName: 'createNodeSaltSuite' },
  nacl: { module: '@brine/crypto/node', exportName: 'createNodeNaclSuite' },
};

/** `worker_threads`: -1 means one thread per core, and no pool on a single core (it would only add hops). */
export function poolSize(workerThreads: number): number {
  if (workerThreads >= 0) return workerThreads;
  const cores = availableParallelism();
  return cores >= 2 ? cores : 0;
}

/** The crypto suite a config asks for; with `worker_threads > 0`, the pooled suite over it (or the plain one if the pool cannot start). */
export async function buildSuite(choice: SuiteChoice, logger: Logger): Promise<BuiltSuite> {
  const backend = BACKENDS[choice.crypto];
  if (!backend) {
    throw new ConfigError(`crypto must be one of ${Object.keys(BACKENDS).join(', ')}; got '${choice.crypto}'`);
  }
  const node = await import('@brine/crypto/node');
  const base = choice.crypto === 'nacl' ? node.createNodeNaclSuite() : node.createNodeSaltSuite();
  const threads = poolSize(choice.worker_threads ?? 0);
  if (threads <= 0) return { suite: base, close: async () => {} };
  const pooled = createPooledSuite(base, {
    module: import.meta.resolve(backend.module),
    exportName: backend.exportName,
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
      `${option} ${value} is not spoken by crypto '${suite.id}' (it speaks ${supported.join(', ')})`,
      {
        details: { option },
      },
    );
  }
  return out as C;
}
