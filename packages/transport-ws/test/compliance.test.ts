import { fileURLToPath } from 'node:url';
import { wsTransport } from '../src/index.js';
import { transportCompliance } from '../../../test/compliance/transport.js';

transportCompliance({
  name: 'ws',
  factory: wsTransport,
  packageName: '@brine/transport-ws',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  exportName: 'wsTransport',
});
