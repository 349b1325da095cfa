import { resolveTransportOptions, type ResolvedTransportOptions, type TransportOptions } from '@brine/contracts';

export interface TcpTransportOptions extends TransportOptions {
  /** Listen backlog (Salt uses 5 for tcp; we default to 511, Node's default). */
  backlog?: number;
}

export interface ResolvedTcpOptions extends ResolvedTransportOptions {
  backlog: number;
}

export function resolveTcpOptions(options: TcpTransportOptions = {}): ResolvedTcpOptions {
  return {
    ...resolveTransportOptions(options),
    backlog: options.backlog ?? 511,
  };
}
