import '../di/reflect.js';
import { inject, injectable } from 'tsyringe';
import { AuthServer } from '../auth/auth-server.js';
import { MasterKeys } from '../auth/master-keys.js';
import { SessionKeys } from '../auth/session-keys.js';
import { SharedKey } from '../auth/shared-key.js';
import { PubServerChannel } from '../channel/pub-server-channel.js';
import { ReplayGuard } from '../channel/replay-guard.js';
import { ReqServerChannel } from '../channel/req-server-channel.js';
import { TokenVerifier } from '../channel/token-verifier.js';
import { transportOptionsOf } from '../config/resolve.js';
import type { MasterConfig } from '../config/types.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { TOKENS } from '../di/tokens.js';
import { ClosedError, ConfigError, ErrorCodes, TransportError, type BrineError } from '../errors.js';
import { EventBus } from '../events/event-bus.js';
import { tags } from '../events/tags.js';
import { KeyManager, loadableIn, type KeyChange } from '../keystore/key-manager.js';
import type { KeyStore } from '../keystore/types.js';
import type { Logger } from '../logger.js';
import type { Dict } from '../protocol/values.js';
import type { Address, PublishServer, RequestServer, TransportFactory } from '../transport/types.js';
import { deadline, type AbortOptions } from '../util/abort.js';
import { JidFactory } from './jid.js';
import { JobTracker, type JobResult } from './jobs.js';
import { masterCommands } from './master-commands.js';
import { matchTarget, selectMinions, TARGET_TYPES, type Target } from './targeting.js';

export interface PublishJob {
  tgt: Target;
  fun: string;
  arg?: unknown[];
  /** Keyword arguments; sent as Salt does, as a trailing `{__kwarg__: true, ...}` in `arg`. */
  kwarg?: Dict;
  tgt_type?: string;
  /** Use this jid instead of a new one. */
  jid?: string;
  user?: string;
}

export interface RunOptions extends AbortOptions {
  tgt_type?: string;
  kwarg?: Dict;
}

export interface MasterAddresses {
  publish: Address;
  request: Address;
}

/**
 * A Brine master: the request server (auth, `_return`, minion events) and the publish server on
 * the configured transport, the key store, job publishing with Salt's targeting, return
 * collection and events. Wire it with `createMasterContainer` (or pass the dependencies directly).
 */
@injectable()
export class Master {
  readonly bus: EventBus;
  readonly keys: KeyManager;
  private readonly jobs = new JobTracker();
  private readonly jids = new JidFactory();
  private readonly connected = new Set<string>();
  private state: 'new' | 'starting' | 'running' | 'closed' = 'new';
  private parts:
    | {
        masterKeys: MasterKeys;
        shared: SharedKey;
        sessions: SessionKeys;
        tokens: TokenVerifier;
        replay: ReplayGuard;
        pub: PubServerChannel;
        pubServer: PublishServer;
        reqServer: RequestServer;
        addresses: MasterAddresses;
      }
    | undefined;
  private readonly errorListeners = new Set<(error: BrineError) => void>();

  constructor(
    @inject(TOKENS.MasterConfig) readonly config: MasterConfig,
    @inject(TOKENS.Transport) private readonly transport: TransportFactory,
    @inject(TOKENS.CryptoSuite) readonly suite: CryptoSuite,
    @inject(TOKENS.KeyStore) readonly store: KeyStore,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.EventBus) bus?: EventBus,
  ) {
    this.bus = bus ?? new EventBus();
    this.keys = new KeyManager(store, suite, {
      onChange: (change) => this.onKeyChange(change),
      isAcceptableKey: loadableIn(suite),
    });
  }

  /** Where the servers listen (after `start`). */
  get addresses(): MasterAddresses {
    if (!this.parts) throw new TransportError(ErrorCodes.INVALID_STATE, 'master is not started');
    return this.parts.addresses;
  }

  /** Minion ids seen alive since the last restart or key change. */
  get connectedMinions(): string[] {
    return [...this.connected].sort();
  }

  /** Bad requests the master refused (typed errors), for logs and tests. */
  onError(listener: (error: BrineError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  async start(): Promise<MasterAddresses> {
    if (this.state !== 'new') throw new TransportError(ErrorCodes.INVALID_STATE, `master is ${this.state}`);
    this.state = 'starting';
    const { config, suite, store, logger } = this;
    logger.info('Creating master process manager');
    const masterKeys = await MasterKeys.load(store, suite, {
      keysize: config.keysize,
      signPubkey: config.master_sign_pubkey,
      logger,
    });
    const shared = new SharedKey(suite, masterKeys);
    const sessions = new SessionKeys(suite, config.publish_session * 1000);
    const tokens = new TokenVerifier(suite, store, { recheckMs: config.token_recheck_interval * 1000 });
    const replay = new ReplayGuard(Math.max(config.request_server_ttl, 300) * 1000);
    const options = transportOptionsOf(config, { logger: logger.child(`transport.${this.transport.name}`) });

    logger.info('Creating master publisher process');
    const pubServer = this.transport.publishServer({
      ...options,
      highWaterMark: config.pub_hwm,
      drainTimeout: config.publish_drain_timeout * 1000,
    } as typeof options);
    const pub = new PubServerChannel(pubServer, suite, masterKeys, shared, tokens, logger.child('pub'), {
      signPubMessages: config.sign_pub_messages,
      ...(config.publish_signing_algorithm ? { signingAlgorithm: config.publish_signing_algorithm } : {}),
    });
    pubServer.events.on('presence', (_peer, id) => this.connected.add(id));
    const publish = await pub.listen({ host: config.interface, port: config.publish_port });

    const authServer = new AuthServer(
      suite,
      store,
      masterKeys,
      shared,
      sessions,
      {
        autoAccept: config.auto_accept,
        autosign: config.autosign,
        autoreject: config.autoreject,
        openMode: config.open_mode,
        maxMinions: config.max_minions,
        connectedIds: () => this.connected,
        publishPort: 'port' in publish ? publish.port : config.publish_port,
      },
      logger.child('auth'),
      (event) => {
        if (event.act === 'accept') this.connected.add(event.id);
        if (config.auth_events) this.bus.fire(tags.auth, { ...event });
      },
    );
    const commands = masterCommands({
      bus: this.bus,
      jobs: this.jobs,
      refuse: (error) => this.report(error),
      seen: (id) => this.connected.add(id),
    });
    const reqChannel = new ReqServerChannel(
      {
        suite,
        store,
        masterKeys,
        shared,
        sessions,
        authServer,
        tokens,
        replay,
        logger: logger.child('req'),
        commands,
        onError: (error) => this.report(error),
      },
      { minimumAuthVersion: config.minimum_auth_version, requestServerTtl: config.request_server_ttl },
    );
    logger.info('Creating master request server process');
    const reqServer = this.transport.requestServer(options);
    const request = await reqServer.listen({ host: config.interface, port: config.ret_port }, reqChannel.handle);
    this.parts = {
      masterKeys,
      shared,
      sessions,
      tokens,
      replay,
      pub,
      pubServer,
      reqServer,
      addresses: { publish, request },
    };
    this.state = 'running';
    const accepted = await store.listMinionKeys('accepted');
    logger.debug(`This salt-master instance has accepted ${accepted.length} minion keys.`);
    return this.parts.addresses;
  }

  /**
   * Publishes a job to the minions the target selects (with accepted keys); when it selects none,
   * nothing is sent, as with Salt. Resolves with its jid and the targeted minions.
   */
  async publish(job: PublishJob, options: AbortOptions = {}): Promise<{ jid: string; minions: string[] }> {
    const parts = this.running();
    const tgtType = job.tgt_type ?? 'glob';
    if (!(TARGET_TYPES as readonly string[]).includes(tgtType)) {
      throw new ConfigError(`unsupported target type '${tgtType}'`, undefined, ErrorCodes.INVALID_ARGUMENT);
    }
    if (typeof job.fun !== 'string' || job.fun === '') {
      throw new ConfigError('a job needs a function name', undefined, ErrorCodes.INVALID_ARGUMENT);
    }
    matchTarget('probe', job.tgt, tgtType); // validates a pcre before anything is sent
    const accepted = await this.store.listMinionKeys('accepted');
    const minions = selectMinions(accepted, job.tgt, tgtType);
    const jid = job.jid ?? this.jids.next();
    if (minions.length === 0) {
      // Salt's master sends nothing when the target matches no accepted key (`ClearFuncs.publish`:
      // "Master could not resolve minions for target"): a minion whose key is pending or deleted
      // must not get the job (on zeromq and ws every subscriber would).
      this.jobs.start(jid, minions);
      this.logger.debug(`No accepted minion matches '${String(job.tgt)}' (${tgtType}); job ${jid} was not published`);
      return { jid, minions };
    }
    const arg = [...(job.arg ?? [])];
    if (job.kwarg && Object.keys(job.kwarg).length > 0) arg.push({ __kwarg__: true, ...job.kwarg });
    const load: Dict = { fun: job.fun, arg, tgt: job.tgt, jid, ret: '', tgt_type: tgtType, user: job.user ?? 'root' };
    this.jobs.start(jid, minions);
    this.bus.fire(tags.jobNew(jid), {
      jid,
      tgt: job.tgt,
      tgt_type: tgtType,
      minions,
      fun: job.fun,
      arg,
      user: load.user,
    });
    this.logger.debug(`Published job ${jid} (${job.fun}) to ${minions.length} minion(s)`);
    await parts.pub.publish(load, { ...options, topics: minions });
    return { jid, minions };
  }

  /** `salt <tgt> <fun> [args]`: publishes and collects returns until all targeted minions answered or `timeout` (s). */
  async run(
    tgt: Target,
    fun: string,
    arg: unknown[] = [],
    options: RunOptions & { timeoutSeconds?: number } = {},
  ): Promise<JobResult> {
    const job: PublishJob = { tgt, fun, arg };
    if (options.tgt_type) job.tgt_type = options.tgt_type;
    if (options.kwarg) job.kwarg = options.kwarg;
    const { jid } = await this.publish(job, { signal: options.signal });
    const limit = deadline(
      { signal: options.signal, timeout: options.timeout ?? (options.timeoutSeconds ?? this.config.timeout) * 1000 },
      undefined,
      'job',
    );
    try {
      return await this.jobs.collect(jid, limit.signal);
    } finally {
      limit.dispose();
    }
  }

  /** Rotates the shared AES key (Salt's dropfile rotation). Minions notice on their next message and re-authenticate. */
  rotateAesKey(reason = 'requested'): void {
    const parts = this.running();
    parts.shared.rotate();
    this.logger.info(`Rotating AES key (${reason})`);
    this.bus.fire(tags.rotate, { rotate_aes_key: true });
  }

  /**
   * Keys changed on disk behind the master's back (`brine key` in another process wrote the rotation
   * dropfile): forget every cached token and the sessions of minions no longer accepted, then rotate.
   */
  async reloadKeys(reason = 'key change on disk'): Promise<void> {
    const parts = this.running();
    const accepted = new Set(await this.store.listMinionKeys('accepted'));
    parts.tokens.clear();
    for (const id of [...this.connected]) {
      if (accepted.has(id)) continue;
      parts.sessions.drop(id);
      parts.replay.forget(id);
      this.connected.delete(id);
    }
    if (this.config.rotate_aes_key) this.rotateAesKey(reason);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const parts = this.parts;
    this.parts = undefined;
    if (parts) await Promise.all([parts.reqServer.close(), parts.pub.close()]);
    this.bus.events.removeAllListeners();
  }

  private running() {
    if (this.state !== 'running' || !this.parts) throw new ClosedError(`master is ${this.state}`);
    return this.parts;
  }

  private report(error: BrineError): void {
    for (const listener of this.errorListeners) listener(error);
  }

  private onKeyChange(change: KeyChange): void {
    for (const id of change.ids) {
      this.bus.fire(tags.key, { act: change.action, id, result: true });
    }
    const parts = this.parts;
    if (!parts) return;
    for (const move of change.moves) {
      if (move.to === 'accepted') continue;
      parts.sessions.drop(move.id);
      parts.tokens.forget(move.id);
      parts.replay.forget(move.id);
      this.connected.delete(move.id);
    }
    if (change.rotate && this.config.rotate_aes_key) this.rotateAesKey(`key ${change.action}`);
  }
}
