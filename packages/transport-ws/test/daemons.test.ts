import { wsTransport } from '@brine/transport-ws';
import { daemonScenarios } from '../../../test/compliance/daemons.js';

daemonScenarios({ name: 'ws', transport: () => wsTransport() });
