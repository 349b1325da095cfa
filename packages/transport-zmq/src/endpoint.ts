import { ErrorCodes, ConfigError, formatAddress, isPathAddress, type Address } from '@brine/contracts';

/**
 * The libzmq endpoint for an address: `tcp://127.0.0.1:4506`, `tcp://[::1]:4506` (IPv6 in
 * brackets, as Salt writes `master_uri`), `ipc:///run/salt/x.ipc`. Port 0 on a bind becomes `*`,
 * libzmq's "any free port".
 */
export function toEndpoint(address: Address, forBind = false): string {
  if (isPathAddress(address)) {
    if (!address.path) throw new ConfigError(ErrorCodes.CONFIG, 'an ipc address needs a path');
    return `ipc://${address.path}`;
  }
  if (!address.host) throw new ConfigError(ErrorCodes.CONFIG, 'a tcp address needs a host');
  if (!Number.isInteger(address.port) || address.port < 0 || address.port > 65535) {
    throw new ConfigError(ErrorCodes.CONFIG, `invalid port ${String(address.port)}`);
  }
  if (forBind && address.port === 0) {
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    return `tcp://${host}:*`;
  }
  return formatAddress(address);
}

/** Whether an address needs `ZMQ_IPV6` (libzmq refuses IPv6 literals without it). */
export function needsIpv6(address: Address): boolean {
  return !isPathAddress(address) && address.host.includes(':');
}

/**
 * The address a socket really bound to, from libzmq's `ZMQ_LAST_ENDPOINT`: the requested host
 * (as the caller wrote it) with the port the OS chose.
 */
export function boundAddress(requested: Address, lastEndpoint: string | null): Address {
  if (isPathAddress(requested)) return { path: requested.path };
  const match = /:(\d+)$/.exec(lastEndpoint ?? '');
  const port = match ? Number(match[1]) : requested.port;
  return { host: requested.host, port };
}
