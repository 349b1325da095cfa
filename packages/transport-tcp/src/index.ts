/**
 * @packageDocumentation
 * Salt's TCP transport for Brine: msgpack `{head, body}` frames on a plain (or TLS) stream.
 *
 * @example
 * ```ts
 * import { tcpTransport } from '@brine/transport-tcp';
 * const tcp = tcpTransport();
 * const server = tcp.requestServer();
 * const address = await server.listen({ host: '127.0.0.1', port: 0 }, (msg) => ({ echo: msg }));
 * const client = tcp.requestClient();
 * await client.connect(address);
 * console.log(await client.request({ hello: 'world' }));
 * ```
 */
import { boundsFromConfig, type TransportFactory } from '@brine/contracts';
import { resolveTcpOptions, type TcpTransportOptions } from './options.js';
import { TcpPublishClient } from './publish-client.js';
import { TcpPublishServer } from './publish-server.js';
import { TcpRequestClient } from './request-client.js';
import { TcpRequestServer } from './request-server.js';

export type { TcpTransportOptions } from './options.js';
export { encodeFrame, decodeFrame } from './framing.js';
export type { Frame } from './framing.js';

/** The TCP transport factory. Options given here are defaults; each call may override them. */
export function tcpTransport(defaults: TcpTransportOptions = {}): TransportFactory<TcpTransportOptions> {
  const resolve = (options?: TcpTransportOptions) => resolveTcpOptions({ ...defaults, ...options });
  return {
    name: 'tcp',
    displayName: 'TCP',
    capabilities: { targetedPublish: true, presence: true, tls: true },
    optionsFromConfig: (config) => boundsFromConfig(config),
    withOptions: (options) => tcpTransport({ ...defaults, ...options }),
    requestClient: (options) => new TcpRequestClient(resolve(options)),
    requestServer: (options) => new TcpRequestServer(resolve(options)),
    publishClient: (options) => new TcpPublishClient(resolve(options)),
    publishServer: (options) => new TcpPublishServer(resolve(options)),
  };
}

/** What `transport: '<this package>'` loads by package name (core's plugin loader). */
export default tcpTransport;
