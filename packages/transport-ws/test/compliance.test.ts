import { fileURLToPath } from 'node:url';
import { wsTransport } from '../src/index.js';
import { transportCompliance } from '@brine/compliance/transport';

transportCompliance({
  name: 'ws',
  factory: wsTransport,
  packageName: '@brine/transport-ws',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  exportName: 'wsTransport',
});
