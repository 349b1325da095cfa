import { StateError, ConfigError, ErrorCodes, type TransportFactory } from '@brine/contracts';
import { loadTransport } from '@brine/core/node';
import { TRANSPORTS, type TransportName } from './results.js';

const loaded = new Map<TransportName, TransportFactory>();

/** Loads the built-in transports through core's catalogue, once per process (a missing one is skipped). */
export async function preloadTransports(): Promise<void> {
  await Promise.all(
    TRANSPORTS.filter((name) => !loaded.has(name)).map(async (name) => {
      try {
        loaded.set(name, (await loadTransport(name, { from: [import.meta.url] })).value);
      } catch {
        // reported when a scenario asks for it
      }
    }),
  );
}

/**
 * Brine's transport factory for a name, with its default options, except that Brine-to-Brine
 * ZeroMQ requests are pipelined (Salt's `zmq_request_pipelining`: many requests on the wire, as
 * with the raw DEALER/ROUTER baseline). Its default, one request on the wire at a time, is what
 * salt-master 3008's pooled request device needs; the Salt comparison uses it (`pipelining: false`).
 */
export function transportFactory(name: TransportName, pipelining = true): TransportFactory {
  const factory = loaded.get(name);
  if (!factory) {
    throw new ConfigError(
      ErrorCodes.UNKNOWN_TRANSPORT,
      `transport '${String(name)}' is not loaded (preloadTransports)`,
    );
  }
  return factory.withOptions(factory.optionsFromConfig?.({ zmq_request_pipelining: pipelining }) ?? {});
}

export function allTransportFactories(pipelining = true): TransportFactory[] {
  return TRANSPORTS.filter((name) => loaded.has(name)).map((name) => transportFactory(name, pipelining));
}

export const LOOPBACK = '127.0.0.1';

export function portOf(address: unknown): number {
  if (typeof address === 'object' && address !== null && 'port' in address) {
    const port = (address as { port: unknown }).port;
    if (typeof port === 'number') return port;
  }
  throw new StateError(ErrorCodes.INVALID_STATE, 'the server did not report a TCP port');
}
