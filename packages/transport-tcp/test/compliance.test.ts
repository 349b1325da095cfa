import { fileURLToPath } from 'node:url';
import { tcpTransport } from '@brine/transport-tcp';
import { transportCompliance } from '../../../test/compliance/transport.js';

transportCompliance({
  name: 'tcp',
  factory: tcpTransport,
  packageName: '@brine/transport-tcp',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  exportName: 'tcpTransport',
});
