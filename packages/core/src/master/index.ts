export { Master } from './master.js';
export type { MasterAddresses, PublishJob, RunOptions } from './master.js';
export { JidFactory, isValidJid } from './jid.js';
export { JobTracker } from './jobs.js';
export type { JobResult } from './jobs.js';
export { matchTarget, selectMinions, TARGET_TYPES } from './targeting.js';
export type { Target, TargetType } from './targeting.js';
export { masterCommands } from './master-commands.js';
