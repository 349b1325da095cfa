export { Minion } from './minion.js';
export type { MinionEvents } from './minion.js';
export { FunctionRegistry, splitArgs } from './functions.js';
export type { FunctionContext, MinionFunction } from './functions.js';
