import { tcpTransport } from '@brine/transport-tcp';
import { daemonScenarios } from '../../../test/compliance/daemons.js';

daemonScenarios({ name: 'tcp', transport: () => tcpTransport() });
