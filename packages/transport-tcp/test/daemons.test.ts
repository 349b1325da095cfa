import { tcpTransport } from '@brine/transport-tcp';
import { daemonCompliance } from '@brine/compliance/daemons';

daemonCompliance({ name: 'tcp', transport: () => tcpTransport() });
