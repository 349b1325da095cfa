/**
 * @packageDocumentation
 * An example third-party Brine transport: requests and publishes between clients and servers of
 * the same process, addressed as `{ path: 'memory:<name>' }` (`memory:` alone picks a fresh name, as
 * port 0 does). Every message crosses as msgpack bytes, so it behaves like a wire. It implements the
 * four contracts of `@brine/contracts` and passes the whole `@brine/compliance` kit.
 *
 * @example
 * ```ts
 * import { memoryTransport } from '@acme/brine-transport-memory';
 * const memory = memoryTransport();
 * const server = memory.requestServer();
 * const address = await server.listen({ path: 'memory:' }, (message) => ({ echo: message }));
 * ```
 */
import type { TransportFactory } from '@brine/contracts';
import { resolveMemoryOptions, TRANSPORT_NAME, type MemoryTransportOptions } from './options.js';
import { MemoryPublishClient } from './publish-client.js';
import { MemoryPublishServer } from './publish-server.js';
import { MemoryRequestClient } from './request-client.js';
import { MemoryRequestServer } from './request-server.js';

export type { MemoryTransportOptions } from './options.js';

export function memoryTransport(defaults: MemoryTransportOptions = {}): TransportFactory<MemoryTransportOptions> {
  resolveMemoryOptions(defaults); // fail fast on bad options
  const resolve = (options?: MemoryTransportOptions) => resolveMemoryOptions({ ...defaults, ...options });
  return {
    name: TRANSPORT_NAME,
    displayName: 'Memory',
    capabilities: { targetedPublish: true, presence: true, tls: false },
    withOptions: (options) => memoryTransport({ ...defaults, ...options }),
    requestClient: (options) => new MemoryRequestClient(resolve(options)),
    requestServer: (options) => new MemoryRequestServer(resolve(options)),
    publishClient: (options) => new MemoryPublishClient(resolve(options)),
    publishServer: (options) => new MemoryPublishServer(resolve(options)),
  };
}

/** What `transport: '@acme/brine-transport-memory'` loads in a config. */
export default memoryTransport;
