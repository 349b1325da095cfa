import type { Logger } from '@brine/contracts';
import type { EventBus } from '@brine/core';

/** Salt's `Sending event: tag = ...; data = ...` debug line for every event on a bus (long values cut). */
export function logBusEvents(bus: EventBus, logger: Logger): () => void {
  return bus.subscribe('', (event) => {
    if (!logger.isEnabled('debug')) return;
    logger.debug(`Sending event: tag = ${event.tag}; data = ${JSON.stringify(event.data, shorten)}`);
  });
}

function shorten(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.length > 96) return `${value.slice(0, 60)}...(${value.length} chars)`;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}
