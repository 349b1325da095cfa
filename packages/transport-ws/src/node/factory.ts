import { boundsFromConfig, type TransportCapabilities, type TransportFactory } from '@brine/contracts';
import { WsPublishClient } from '../client/publish-client.js';
import { WsRequestClient } from '../client/request-client.js';
import { TRANSPORT_NAME } from '../constants.js';
import { resolveWsOptions, type WsTransportOptions } from '../options.js';
import { nodeDialer } from './dialer.js';
import { WsPublishServer } from './publish-server.js';
import { WsRequestServer } from './request-server.js';

export const WS_CAPABILITIES: TransportCapabilities = Object.freeze({
  targetedPublish: true,
  presence: true,
  tls: true,
});

/** The factory with its concrete classes (e.g. `publishServer().stats()`). */
export interface WsTransportFactory extends TransportFactory<WsTransportOptions> {
  requestClient(options?: WsTransportOptions): WsRequestClient;
  requestServer(options?: WsTransportOptions): WsRequestServer;
  publishClient(options?: WsTransportOptions): WsPublishClient;
  publishServer(options?: WsTransportOptions): WsPublishServer;
  withOptions(options: WsTransportOptions): WsTransportFactory;
}

/**
 * The WebSocket transport for Node (Salt's `transport: ws`). Options given here are the defaults of
 * every client and server it makes; each method may add or override some.
 */
export function wsTransport(defaults: WsTransportOptions = {}): WsTransportFactory {
  resolveWsOptions(defaults); // fail fast on bad options
  const resolve = (options?: WsTransportOptions) => resolveWsOptions({ ...defaults, ...options });
  return {
    name: TRANSPORT_NAME,
    displayName: 'WS',
    capabilities: WS_CAPABILITIES,
    optionsFromConfig: (config) => boundsFromConfig(config),
    withOptions: (options) => wsTransport({ ...defaults, ...options }),
    requestClient(options) {
      const o = resolve(options);
      return new WsRequestClient(o, nodeDialer(o));
    },
    requestServer(options) {
      return new WsRequestServer(resolve(options));
    },
    publishClient(options) {
      const o = resolve(options);
      return new WsPublishClient(o, nodeDialer(o));
    },
    publishServer(options) {
      return new WsPublishServer(resolve(options));
    },
  };
}
