/**
 * @packageDocumentation
 * Brine core: Salt's channels, AsyncAuth and AuthServer, the key store, Master and Minion, events
 * and config. Runs in Node and in browsers (Node-only pieces live in `@brine/core/node`, the
 * tsyringe containers in `@brine/core/di`). The contracts it builds on (transports, crypto suites,
 * errors, serial) are in `@brine/contracts`.
 */
export * from './crypto/index.js';
export * from './keystore/index.js';
export * from './protocol/index.js';
export * from './auth/index.js';
export * from './channel/index.js';
export * from './config/index.js';
export * from './events/index.js';
export * from './master/index.js';
export * from './minion/index.js';
export { FairScheduler, type FairSchedulerOptions } from './limits/fair-scheduler.js';
export {
  TargetError,
  TARGET_TYPES,
  matchMinion,
  selectMinions,
  nodegroupComp,
  resolveNodegroupTarget,
} from './match/index.js';
export type {
  MatchOptions,
  MatchResult,
  MinionRecord,
  MinionSelf,
  Nodegroups,
  Selection,
  SelectOptions,
  Target,
  TargetErrorReason,
  TargetType,
} from './match/index.js';
export { createMaster, createMinion } from './daemons.js';
export type { DaemonWiring } from './daemons.js';
