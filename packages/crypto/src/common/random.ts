/**
 * A source of random bytes. Suites take one in their options so tests can pin IVs, nonces,
 * session keys and (forge) OAEP seeds; production code leaves it unset.
 */
export type RandomSource = (length: number) => Uint8Array;
