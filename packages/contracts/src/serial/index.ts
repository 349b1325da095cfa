export { encode, dumps, packb } from './encode.js';
export type { EncodeOptions } from './encode.js';
export { decode, loads } from './decode.js';
export type { DecodeOptions } from './decode.js';
export { measure } from './scan.js';
export type { Measure } from './scan.js';
export { FrameSplitter } from './stream.js';
export type { FrameSplitterOptions } from './stream.js';
export { Float64, float64, SaltDatetime, SaltConstant, ExtValue } from './types.js';
