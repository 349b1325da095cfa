/**
 * @packageDocumentation
 * Node-only parts of Brine core (`@brine/core/node`): the on-disk key store and the AES
 * rotation dropfile.
 */
export { FsKeyStore } from './fs-keystore.js';
export { FsJidCache } from './fs-jid-cache.js';
export type { FsKeyStoreOptions } from './fs-keystore.js';
export { FsKeyIndex } from './fs-key-index.js';
export type { KeyIndexChange, KeyIndexEvents, KeyIndexOptions, KeyIndexSkip } from './fs-key-index.js';
export { DROPFILE_NAME, consumeRotateDropfile, rotateDropfilePath, writeRotateDropfile } from './rotate-dropfile.js';
export { WorkerPool } from './worker-pool.js';
export type { WorkerPoolOptions, WorkerPoolStats, WorkerRunOptions, WorkerStats } from './worker-pool.js';
export { serveWorker } from './worker-host.js';
export type { WorkerHandler, WorkerHandlers } from './worker-host.js';
export { THREAD_ID_OP } from './worker-protocol.js';
export { PooledCryptoSuite, createPooledSuite } from './pooled-suite.js';
export type { PooledSuiteOptions } from './pooled-suite.js';
export type { CryptoWorkerInfo } from './crypto-worker.js';
export * from './ipc/index.js';
export { startMaintenance } from './maintenance.js';
export { readOpenFileLimit } from './open-file-limit.js';
export * from './plugins/index.js';
export { collectGrains, deepUpdate, serverId } from './grains/index.js';
export type { CollectGrainsOptions, Grains } from './grains/index.js';
export { nodeGrains } from './grains/provider.js';
export { registerCmdModule } from './cmd-module.js';
