import { zmqTransport } from '@brine/transport-zmq';
import { daemonScenarios } from '../../../test/compliance/daemons.js';

daemonScenarios({ name: 'zeromq', transport: () => zmqTransport() });
