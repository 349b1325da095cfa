import { fileURLToPath } from 'node:url';
import { zmqTransport, type ZmqTransportOptions } from '../src/index.js';
import { transportCompliance } from '@brine/compliance/transport';
import { ZMTP_GARBAGE } from './helpers.js';

// Targeted publishes need Salt's zmq_filtering.
const options: ZmqTransportOptions = { zmqFiltering: true };

transportCompliance({
  name: 'zeromq',
  factory: zmqTransport,
  packageName: '@brine/transport-zmq',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  exportName: 'zmqTransport',
  options,
  // libzmq takes bytes that do not start with the ZMTP signature for a ZMTP 1.0 peer and waits
  // for more, so the suite's generic garbage would never be refused. A ZMTP 3.1 greeting with an
  // unknown security mechanism is refused at once (monitor: handshake:error:protocol).
  garbage: ZMTP_GARBAGE,
  reportsPeerErrors: {
    // Seen through the socket monitor as a ZMTP handshake protocol error.
    garbage: true,
    // libzmq drops a peer whose frame exceeds ZMQ_MAXMSGSIZE inside its decoder and reports only
    // a plain `disconnect` (no error, no peer): nothing to tell an oversize from a hang-up.
    oversize: false,
    // ZMQ_HANDSHAKE_IVL expiring is reported as handshake:error:other with EAGAIN.
    idle: true,
  },
});
