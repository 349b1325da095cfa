import { boundsFromConfig, type TransportFactory } from '@brine/contracts';
import { resolveZmqOptions, type ZmqTransportOptions } from './options.js';
import { TRANSPORT_NAME } from './peer.js';
import { ZmqPublishClient } from './publish-client.js';
import { ZmqPublishServer } from './publish-server.js';
import { ZmqRequestClient } from './request-client.js';
import { ZmqRequestServer } from './request-server.js';

/**
 * The ZeroMQ transport (Salt's `transport: zeromq`). Options given here apply to every socket it
 * makes; options passed to `requestClient()` & co. are merged on top.
 *
 * @example
 * ```ts
 * const zmq = zmqTransport({ zmqFiltering: true });
 * const server = zmq.requestServer();
 * const address = await server.listen({ host: '127.0.0.1', port: 4506 }, (load) => ({ ok: true }));
 * ```
 */
export function zmqTransport(options: ZmqTransportOptions = {}): TransportFactory<ZmqTransportOptions> {
  const base = resolveZmqOptions(options); // validate now, not on first use
  const resolve = (extra?: ZmqTransportOptions) => (extra ? resolveZmqOptions({ ...options, ...extra }) : base);
  return {
    name: TRANSPORT_NAME,
    displayName: 'ZeroMQ',
    capabilities: {
      // Only under zmq_filtering can the publisher address one minion.
      targetedPublish: base.zmqFiltering,
      // A SUB socket cannot send a presence message.
      presence: false,
      tls: false,
    },
    optionsFromConfig: (config) => ({
      ...boundsFromConfig(config),
      ...(typeof config.zmq_filtering === 'boolean' ? { zmqFiltering: config.zmq_filtering } : {}),
      ...(typeof config.zmq_request_pipelining === 'boolean'
        ? { requestPipelining: config.zmq_request_pipelining }
        : {}),
      ...(typeof config.zmq_backlog === 'number' ? { backlog: config.zmq_backlog } : {}),
    }),
    withOptions: (extra) => zmqTransport({ ...options, ...extra }),
    requestClient: (extra) => new ZmqRequestClient(resolve(extra)),
    requestServer: (extra) => new ZmqRequestServer(resolve(extra)),
    publishClient: (extra) => new ZmqPublishClient(resolve(extra)),
    publishServer: (extra) => new ZmqPublishServer(resolve(extra)),
  };
}
