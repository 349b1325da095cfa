import type { BrineError, CryptoSuite, Logger, PublishServer, RequestContext } from '@brine/contracts';
import { AuthServer } from '../auth/auth-server.js';
import type { AuthEvent } from '../auth/auth-events.js';
import { MasterKeys } from '../auth/master-keys.js';
import { SessionKeys } from '../auth/session-keys.js';
import { SharedKey } from '../auth/shared-key.js';
import type { CommandRegistry } from '../channel/command-registry.js';
import { PubServerChannel } from '../channel/pub-server-channel.js';
import { ReplayGuard } from '../channel/replay-guard.js';
import { ReqServerChannel, type RequestOutcome } from '../channel/req-server-channel.js';
import { TokenVerifier } from '../channel/token-verifier.js';
import type { MasterConfig } from '../config/types.js';
import type { KeyStore } from '../keystore/types.js';

export interface MasterCoreDeps {
  /** A resolved master config (`resolveMasterConfig`). */
  config: MasterConfig;
  suite: CryptoSuite;
  keyStore: KeyStore;
  logger: Logger;
  /** The encrypted commands the request channel serves. */
  commands: CommandRegistry;
  /** The publish port announced in accept replies; default `config.publish_port`. */
  publishPort?: () => number;
  /** Minions currently connected, for `max_minions`. */
  connectedIds?: () => Iterable<string>;
  onAuthEvent?: (event: AuthEvent) => void;
  /** Requests the channel refused (typed errors), for logs, metrics and tests. */
  onError?: (error: BrineError, context: RequestContext) => void;
  /** Every request once its reply is decided, for metrics. */
  onRequest?: (event: RequestOutcome) => void;
}

/** The transport-independent half of a master: keys, sessions, the auth server and the request channel. */
export interface MasterCore {
  readonly masterKeys: MasterKeys;
  readonly shared: SharedKey;
  readonly sessions: SessionKeys;
  readonly tokens: TokenVerifier;
  readonly replay: ReplayGuard;
  readonly auth: AuthServer;
  /** Install `requests.handle` as a RequestServer's handler. */
  readonly requests: ReqServerChannel;
  /** A publish channel over `server`, signing as the config says. */
  publisher(server: PublishServer): PubServerChannel;
}

/**
 * The one composition root of a master's object graph, used by `Master`, the bench and the tests:
 * loads (or creates) the master keys and wires the auth server and request channel with the
 * config's options. Nothing here listens; the caller binds the transports.
 */
export async function composeMasterCore(deps: MasterCoreDeps): Promise<MasterCore> {
  const { config, suite, keyStore: store, logger } = deps;
  const masterKeys = await MasterKeys.load(store, suite, {
    keysize: config.keysize,
    signPubkey: config.master_sign_pubkey,
    logger,
  });
  const shared = new SharedKey(suite, masterKeys);
  const sessions = new SessionKeys(suite, config.publish_session * 1000);
  const tokens = new TokenVerifier(suite, store, { recheckMs: config.token_recheck_interval * 1000 });
  const replay = new ReplayGuard(Math.max(config.request_server_ttl, 300) * 1000);
  const auth = new AuthServer(
    {
      suite,
      store,
      masterKeys,
      shared,
      sessions,
      logger: logger.child('auth'),
      ...(deps.onAuthEvent ? { onEvent: deps.onAuthEvent } : {}),
    },
    {
      autoAccept: config.auto_accept,
      autosign: config.autosign,
      autoreject: config.autoreject,
      openMode: config.open_mode,
      maxMinions: config.max_minions,
      minKeySize: config.min_key_size,
      maxPendingKeys: config.max_pending_keys,
      pendingKeyRate: config.pending_key_rate,
      logRateLimit: config.log_rate_limit,
      ...(deps.connectedIds ? { connectedIds: deps.connectedIds } : {}),
      publishPort: deps.publishPort ?? (() => config.publish_port),
    },
  );
  const requests = new ReqServerChannel(
    {
      suite,
      store,
      masterKeys,
      shared,
      sessions,
      authServer: auth,
      tokens,
      replay,
      logger: logger.child('req'),
      commands: deps.commands,
      ...(deps.onError ? { onError: deps.onError } : {}),
      ...(deps.onRequest ? { onRequest: deps.onRequest } : {}),
    },
    {
      minimumAuthVersion: config.minimum_auth_version,
      requestServerTtl: config.request_server_ttl,
      logRateLimit: config.log_rate_limit,
      fairSliceMs: config.request_fair_slice,
      maxUnauthenticatedRefusals: config.max_unauthenticated_refusals,
    },
  );
  return {
    masterKeys,
    shared,
    sessions,
    tokens,
    replay,
    auth,
    requests,
    publisher: (server) =>
      new PubServerChannel(
        { transport: server, suite, masterKeys, shared, tokens, logger: logger.child('pub') },
        {
          signPubMessages: config.sign_pub_messages,
          ...(config.publish_signing_algorithm ? { signingAlgorithm: config.publish_signing_algorithm } : {}),
        },
      ),
  };
}
