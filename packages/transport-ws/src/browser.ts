/**
 * @packageDocumentation
 * Browser build of `@brine/transport-ws`: the request and publish clients on the global WebSocket.
 * Imports nothing Node-only (no `ws`, no `node:*`). Selected by the `browser` export condition of
 * `@brine/transport-ws`, or explicitly as `@brine/transport-ws/browser`.
 */
export { wsTransport, WS_CAPABILITIES } from './browser/factory.js';
export type { BrowserWsTransportFactory, BrowserWsTransportOptions } from './browser/factory.js';
export { browserDialer } from './browser/dialer.js';
export type { BrowserDialerOptions } from './browser/dialer.js';
export type { WebSocketConstructorLike, WebSocketLike } from './browser/websocket-like.js';
export { WsRequestClient } from './client/request-client.js';
export { WsPublishClient } from './client/publish-client.js';
export type { Dialer, DialOptions, WireHandlers, WireSocket } from './client/socket.js';
export { resolveWsOptions } from './options.js';
export type { ResolvedWsOptions, WsTransportOptions } from './options.js';
export { encodeMessage, decodeMessage, encodePublish, decodePublish } from './frames.js';
export * from './constants.js';
import { wsTransport } from './browser/factory.js';

/** What `transport: '<this package>'` loads by package name (core's plugin loader). */
export default wsTransport;
