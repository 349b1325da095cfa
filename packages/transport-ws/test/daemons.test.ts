import { wsTransport } from '@brine/transport-ws';
import { daemonCompliance } from '@brine/compliance/daemons';

daemonCompliance({ name: 'ws', transport: () => wsTransport() });
