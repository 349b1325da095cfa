/**
 * @packageDocumentation
 * `@brine/transport-ws`: Salt's WebSocket transport (`transport: ws`), wire-compatible with
 * `salt/transport/ws.py`. Node entry: request/publish clients and servers on the `ws` package.
 * Browsers get `@brine/transport-ws/browser` (clients on the global WebSocket).
 *
 * @example
 * ```ts
 * import { wsTransport } from '@brine/transport-ws';
 * const ws = wsTransport({ ssl: { ca_certs: '/etc/salt/pki/ca.pem' } });
 * const client = ws.requestClient();
 * await client.connect({ host: 'salt', port: 4506 }, { timeout: 10_000 });
 * const reply = await client.request({ enc: 'clear', load: { cmd: '_auth' } }, { timeout: 60_000 });
 * ```
 */
export { wsTransport, WS_CAPABILITIES } from './node/factory.js';
export type { WsTransportFactory } from './node/factory.js';
export { WsRequestServer } from './node/request-server.js';
export { WsPublishServer } from './node/publish-server.js';
export type { SubscriberStats } from './node/publish-server.js';
export { WsRequestClient } from './client/request-client.js';
export { WsPublishClient } from './client/publish-client.js';
export { nodeDialer } from './node/dialer.js';
export type { Dialer, DialOptions, WireHandlers, WireSocket } from './client/socket.js';
export { resolveWsOptions } from './options.js';
export type { ResolvedWsOptions, WsTransportOptions } from './options.js';
export { encodeMessage, decodeMessage, encodePublish, decodePublish } from './frames.js';
export * from './constants.js';
import { wsTransport } from './node/factory.js';

/** What `transport: '<this package>'` loads by package name (core's plugin loader). */
export default wsTransport;
