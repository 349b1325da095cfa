export type { CommonConfig, CryptoName, MasterConfig, MinionConfig, SaltLogLevel, TransportName } from './types.js';
export { MASTER_DEFAULTS, MINION_DEFAULTS } from './defaults.js';
export { resolveMasterConfig, resolveMinionConfig, transportOptionsOf } from './resolve.js';
export { checkInboundBudget } from './budget-check.js';
