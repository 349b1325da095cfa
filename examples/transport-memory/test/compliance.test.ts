import { fileURLToPath } from 'node:url';
import { daemonCompliance } from '@brine/compliance/daemons';
import { transportCompliance } from '@brine/compliance/transport';
import { memoryTransport } from '@acme/brine-transport-memory';

// Exactly what a third party writes: the kit's suites, run against this package by its own name.
transportCompliance({
  name: 'memory',
  factory: memoryTransport,
  packageName: '@acme/brine-transport-memory',
  packageDir: fileURLToPath(new URL('..', import.meta.url)),
  exportName: 'memoryTransport',
  // No sockets: the raw-bytes cases (garbage, a silent peer) do not apply.
  rawSockets: false,
});

daemonCompliance({ name: 'memory', transport: () => memoryTransport() });
