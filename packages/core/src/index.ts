/**
 * @packageDocumentation
 * Brine core: transport contracts, Salt-compatible serialization, typed errors, DI wiring.
 * Runs in Node and in browsers (Node-only pieces live in `@brine/core/node`).
 */
export * from './errors.js';
export * from './logger.js';
export * from './serial/index.js';
export * from './transport/index.js';
export * from './crypto/index.js';
export * from './di/index.js';
export * from './keystore/index.js';
export { TypedEmitter } from './util/emitter.js';
export { deadline, raceSignal, defer, delay, throwIfAborted, asAbortError } from './util/abort.js';
export type { AbortOptions, Deadline, Deferred } from './util/abort.js';
export * as bytes from './util/bytes.js';
export * from './protocol/index.js';
export * from './auth/index.js';
export * from './channel/index.js';
export * from './config/index.js';
export * from './events/index.js';
export * from './master/index.js';
export * from './minion/index.js';
