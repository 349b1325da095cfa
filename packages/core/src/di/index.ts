/**
 * `@brine/core/di`: tsyringe containers for Master and Minion. Importing this loads tsyringe and the
 * `reflect-metadata` polyfill; nothing else in core does.
 */
export { TOKENS } from './tokens.js';
export type { TokenName } from './tokens.js';
export { createBrineContainer, createMasterContainer, createMinionContainer } from './container.js';
export type { BrineContainerOptions, DependencyContainer } from './container.js';
export { inject, injectable } from 'tsyringe';
