/**
 * @packageDocumentation
 * Brine's compliance kit. Each suite is a function that registers vitest cases; call it from a test
 * file of your own, with a spec that says how to make your implementation:
 *
 * ```ts
 * import { transportCompliance } from '@brine/compliance/transport';
 * import { memoryTransport } from '@acme/brine-transport-memory';
 * transportCompliance({ name: 'memory', factory: memoryTransport, packageName: '@acme/brine-transport-memory',
 *   packageDir: new URL('..', import.meta.url).pathname, exportName: 'memoryTransport' });
 * ```
 *
 * Subpaths load one suite each (`/transport`, `/crypto`, `/daemons`); `/crypto` and `/daemons` need
 * `@brine/core` (and `/daemons` `@brine/crypto`) installed beside the kit.
 */
export type { SuiteHooks } from './hooks.js';
export type { TransportSpec } from './transport.js';
export type { CryptoSuiteSpec } from './crypto.js';
export type { DaemonSpec } from './daemons.js';
