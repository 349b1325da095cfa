export * from './constants.js';
export { uuid4Hex } from './nonce.js';
export { isDict, bytesField, textField } from './values.js';
export type { Dict } from './values.js';
export { readEnvelope, readLoad } from './envelope.js';
export type { Envelope } from './envelope.js';
