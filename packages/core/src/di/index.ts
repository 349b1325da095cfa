export { TOKENS } from './tokens.js';
export type { TokenName } from './tokens.js';
export { createBrineContainer, useTransport } from './container.js';
export type { BrineContainerOptions, DependencyContainer } from './container.js';
export { inject, injectable } from 'tsyringe';
export { createMaster, createMasterContainer, createMinion, createMinionContainer } from './daemons.js';
export type { DaemonWiring } from './daemons.js';
