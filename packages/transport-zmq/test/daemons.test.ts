import { zmqTransport } from '@brine/transport-zmq';
import { daemonCompliance } from '@brine/compliance/daemons';

daemonCompliance({ name: 'zeromq', transport: () => zmqTransport() });
