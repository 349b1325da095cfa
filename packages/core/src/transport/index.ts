export * from './types.js';
export { ReconnectPolicy, DEFAULT_RECONNECT } from './reconnect.js';
export type { ReconnectOptions } from './reconnect.js';
export { BoundedQueue } from './queue.js';
export { TransportRegistry } from './registry.js';
export { resolveTransportOptions, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_HIGH_WATER_MARK } from './options.js';
export type { ResolvedTransportOptions } from './options.js';
