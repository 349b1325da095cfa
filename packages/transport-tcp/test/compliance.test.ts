import { fileURLToPath } from 'node:url';
import { tcpTransport } from '@brine/transport-tcp';
import { transportCompliance } from '@brine/compliance/transport';

transportCompliance({
  name: 'tcp',
  factory: tcpTransport,
  packageName: '@brine/transport-tcp',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  exportName: 'tcpTransport',
});
