import {
  StateError,
  ErrorCodes,
  type PublishServer,
  type RequestServer,
  type TransportCapabilities,
  type TransportFactory,
} from '@brine/contracts';
import { WsPublishClient } from '../client/publish-client.js';
import { WsRequestClient } from '../client/request-client.js';
import { TRANSPORT_NAME } from '../constants.js';
import { resolveWsOptions, type ResolvedWsOptions, type WsTransportOptions } from '../options.js';
import { browserDialer } from './dialer.js';
import type { WebSocketConstructorLike } from './websocket-like.js';

export interface BrowserWsTransportOptions extends WsTransportOptions {
  /** The WebSocket constructor to use. Defaults to the global one. */
  WebSocket?: WebSocketConstructorLike;
}

export const WS_CAPABILITIES: TransportCapabilities = Object.freeze({
  targetedPublish: true,
  presence: true,
  tls: true,
});

/** The browser factory with its concrete client classes. */
export interface BrowserWsTransportFactory extends TransportFactory<BrowserWsTransportOptions> {
  requestClient(options?: BrowserWsTransportOptions): WsRequestClient;
  publishClient(options?: BrowserWsTransportOptions): WsPublishClient;
  withOptions(options: BrowserWsTransportOptions): BrowserWsTransportFactory;
}

/**
 * The WebSocket transport for browsers: request and publish clients on the global WebSocket.
 * Servers need Node: `requestServer()` and `publishServer()` throw `ERR_INVALID_STATE`.
 * `ssl` only selects `wss://`; the browser verifies certificates with its own trust store.
 */
export function wsTransport(defaults: BrowserWsTransportOptions = {}): BrowserWsTransportFactory {
  resolveWsOptions(defaults);
  const resolve = (options?: BrowserWsTransportOptions): [ResolvedWsOptions, BrowserWsTransportOptions] => {
    const merged = { ...defaults, ...options };
    return [resolveWsOptions(merged), merged];
  };
  const dialerFor = (o: ResolvedWsOptions, raw: BrowserWsTransportOptions) =>
    browserDialer({
      handshakeTimeout: o.handshakeTimeout,
      closeTimeout: o.closeTimeout,
      maxMessageSize: o.maxMessageSize,
      ...(raw.WebSocket ? { WebSocket: raw.WebSocket } : {}),
    });
  const serverUnavailable = (): never => {
    throw new StateError(
      ErrorCodes.INVALID_STATE,
      'ws servers need Node (import @brine/transport-ws from Node, not the browser build)',
    );
  };
  return {
    name: TRANSPORT_NAME,
    displayName: 'WS',
    capabilities: WS_CAPABILITIES,
    withOptions: (options) => wsTransport({ ...defaults, ...options }),
    requestClient(options) {
      const [o, raw] = resolve(options);
      return new WsRequestClient(o, dialerFor(o, raw));
    },
    publishClient(options) {
      const [o, raw] = resolve(options);
      return new WsPublishClient(o, dialerFor(o, raw));
    },
    requestServer(): RequestServer {
      return serverUnavailable();
    },
    publishServer(): PublishServer {
      return serverUnavailable();
    },
  };
}
