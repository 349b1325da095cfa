import type { Dict } from '../protocol/values.js';
import { deadline, raceSignal, type AbortOptions, TypedEmitter } from '@brine/contracts';

/** One event on the bus: Salt's `tag` and `data` (which carries `_stamp`). */
export interface SaltEvent {
  tag: string;
  data: Dict;
}

export interface EventBusEvents {
  event: [event: SaltEvent];
}

/** Python's `datetime.utcnow().isoformat()`: `2024-05-19T12:59:07.200000`. */
export function saltStamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/**
 * The in-process event bus (Salt's `SaltEvent`): tagged events as typed JS events. A Node process can
 * also serve it to other processes over a local socket in Salt's framing (`@brine/core/node`).
 */
export class EventBus {
  readonly events = new TypedEmitter<EventBusEvents>();

  /** Fires `tag` with `data` (a copy, with `_stamp` added as Salt's `fire_event` does). */
  fire(tag: string, data: Dict = {}): SaltEvent {
    const event: SaltEvent = { tag, data: { ...data, _stamp: data._stamp ?? saltStamp() } };
    this.events.emit('event', event);
    return event;
  }

  /** Calls `handler` for every event whose tag starts with `prefix` ('' for all). Returns an unsubscribe function. */
  subscribe(prefix: string, handler: (event: SaltEvent) => void): () => void {
    return this.events.on('event', (event) => {
      if (event.tag.startsWith(prefix)) handler(event);
    });
  }

  /** The next event whose tag matches (exact string, or a predicate). */
  async next(match: string | ((event: SaltEvent) => boolean), options: AbortOptions = {}): Promise<SaltEvent> {
    const test = typeof match === 'string' ? (e: SaltEvent) => e.tag === match : match;
    const limit = deadline(options, undefined, 'waiting for an event');
    try {
      const [event] = await raceSignal(this.events.once('event', { filter: test, signal: limit.signal }), limit.signal);
      return event;
    } finally {
      limit.dispose();
    }
  }
}
