export { EventBus, saltStamp } from './event-bus.js';
export type { EventBusEvents, SaltEvent } from './event-bus.js';
export { packEvent, unpackEvent } from './pack.js';
export { tags } from './tags.js';
