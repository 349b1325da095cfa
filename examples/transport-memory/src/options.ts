import { resolveTransportOptions, type ResolvedTransportOptions, type TransportOptions } from '@brine/contracts';

/** The memory transport takes exactly the shared options. */
export type MemoryTransportOptions = TransportOptions;

export type ResolvedMemoryOptions = ResolvedTransportOptions;

export const resolveMemoryOptions = (options: MemoryTransportOptions = {}): ResolvedMemoryOptions =>
  resolveTransportOptions(options);

export const TRANSPORT_NAME = 'memory';
