/**
 * @packageDocumentation
 * Brine contracts: what a transport or a crypto backend implements and what it may use. Typed
 * errors, the logger interface, Salt-compatible msgpack, the four transport contracts with their
 * shared helpers (reconnect policy, bounded queues, redialer), the CryptoSuite contract and small
 * abort/byte utilities. Runs in Node and in browsers; no DI container, no polyfill.
 */
export * from './errors/index.js';
export * from './logger.js';
export * from './serial/index.js';
export * from './transport/index.js';
export type * from './crypto/suite.js';
export { TypedEmitter } from './util/emitter.js';
export type { Listener } from './util/emitter.js';
export { deadline, raceSignal, defer, delay, throwIfAborted, asAbortError } from './util/abort.js';
export type { AbortOptions, Deadline, Deferred } from './util/abort.js';
export * as bytes from './util/bytes.js';
export { isCryptoSuite, isTransportFactory } from './guards.js';
