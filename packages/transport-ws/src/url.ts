import { ConfigError, ErrorCodes, isPathAddress, type Address } from '@brine/contracts';

/** `ws://host:port/path` (`wss` with TLS), bracketing IPv6 literals. Local-socket addresses are refused. */
export function wsUrl(address: Address, secure: boolean, path: string): string {
  if (isPathAddress(address)) {
    throw new ConfigError(
      ErrorCodes.INVALID_ARGUMENT,
      `the ws transport needs a host:port address, not ${address.path}`,
      { details: { address } },
    );
  }
  const host = address.host.includes(':') && !address.host.startsWith('[') ? `[${address.host}]` : address.host;
  return `${secure ? 'wss' : 'ws'}://${host}:${address.port}${path}`;
}
