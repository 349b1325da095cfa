/**
 * Injection tokens. Always inject with an explicit token (`@inject(TOKENS.Logger)`): esbuild-based
 * tools emit no decorator metadata, so type-based injection would break there.
 */
export const TOKENS = {
  Logger: Symbol.for('brine.Logger'),
  TransportRegistry: Symbol.for('brine.TransportRegistry'),
  /** The selected transport's factory (resolved from the registry by the `transport` option). */
  Transport: Symbol.for('brine.Transport'),
  CryptoSuite: Symbol.for('brine.CryptoSuite'),
  KeyStore: Symbol.for('brine.KeyStore'),
  EventBus: Symbol.for('brine.EventBus'),
  MasterConfig: Symbol.for('brine.MasterConfig'),
  MinionConfig: Symbol.for('brine.MinionConfig'),
  /** Salt's creds_map: register one in a parent container to share credentials between minions. */
  CredentialsCache: Symbol.for('brine.CredentialsCache'),
} as const;

export type TokenName = keyof typeof TOKENS;
