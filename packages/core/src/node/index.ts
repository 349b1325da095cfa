/**
 * @packageDocumentation
 * Node-only parts of Brine core (`@brine/core/node`): the on-disk key store and the AES
 * rotation dropfile.
 */
export { FsKeyStore } from './fs-keystore.js';
export type { FsKeyStoreOptions } from './fs-keystore.js';
export { DROPFILE_NAME, consumeRotateDropfile, rotateDropfilePath, writeRotateDropfile } from './rotate-dropfile.js';
