import {
  ConfigError,
  ErrorCodes,
  TransportError,
  isPathAddress,
  type Address,
  type HostAddress,
} from '@brine/contracts';

let nextPort = 40_000;

/**
 * Where servers of one process are found. Addresses look like TCP ones (`{ host, port }`, port 0
 * picks a free number) so a Master and Minion run on this transport unchanged; nothing touches the
 * network.
 */
export class MemoryHub<S> {
  private readonly servers = new Map<string, S>();

  bind(address: Address, server: S): HostAddress {
    const { host, port } = hostAddress(address);
    let chosen = port;
    if (chosen === 0) while (this.servers.has(keyOf(host, (chosen = nextPort++))));
    const key = keyOf(host, chosen);
    if (this.servers.has(key)) {
      throw new TransportError(ErrorCodes.ADDRESS_IN_USE, `memory address ${key} is already in use`, {
        details: { address: key },
      });
    }
    this.servers.set(key, server);
    return { host, port: chosen };
  }

  unbind(address: HostAddress, server: S): void {
    const key = keyOf(address.host, address.port);
    if (this.servers.get(key) === server) this.servers.delete(key);
  }

  find(address: HostAddress): S | undefined {
    return this.servers.get(keyOf(address.host, address.port));
  }
}

export function hostAddress(address: Address): HostAddress {
  if (isPathAddress(address)) {
    throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, 'the memory transport takes { host, port } addresses');
  }
  return { host: address.host, port: address.port };
}

export const keyOf = (host: string, port: number): string => `memory://${host}:${port}`;
