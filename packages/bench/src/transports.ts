import { ConfigError, ErrorCodes, type TransportFactory } from '@brine/contracts';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';
import type { TransportName } from './results.js';

/**
 * Brine's transport factory for a name, with its default options, except that Brine-to-Brine
 * ZeroMQ requests are pipelined (`requestPipelining`: many requests on the wire, as with the raw
 * DEALER/ROUTER baseline). Its default, one request on the wire at a time, is what salt-master
 * 3008's pooled request device needs; the Salt comparison uses it (`pipelining: false`).
 */
export function transportFactory(name: TransportName, pipelining = true): TransportFactory {
  switch (name) {
    case 'zeromq':
      return zmqTransport({ requestPipelining: pipelining });
    case 'tcp':
      return tcpTransport();
    case 'ws':
      return wsTransport();
    default:
      throw new ConfigError(`unknown transport '${String(name)}'`, undefined, ErrorCodes.UNKNOWN_TRANSPORT);
  }
}

export function allTransportFactories(pipelining = true): TransportFactory[] {
  return [zmqTransport({ requestPipelining: pipelining }), tcpTransport(), wsTransport()];
}

export const LOOPBACK = '127.0.0.1';

export function portOf(address: unknown): number {
  if (typeof address === 'object' && address !== null && 'port' in address) {
    const port = (address as { port: unknown }).port;
    if (typeof port === 'number') return port;
  }
  throw new ConfigError('the server did not report a TCP port', undefined, ErrorCodes.INVALID_STATE);
}
