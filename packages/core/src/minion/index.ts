export { Minion } from './minion.js';
export type { MinionDeps, MinionEvents } from './minion.js';
export { composeMinionChannels } from './compose.js';
export type { MinionChannels, MinionChannelsDeps } from './compose.js';
export { FunctionRegistry, splitArgs } from './functions.js';
export type { FunctionContext, MinionFunction } from './functions.js';
export { MemoryJidCache } from './jid-cache.js';
export type { JidCache } from './jid-cache.js';
export { tooLargeReturn } from './too-large-return.js';
