import {
  StateError,
  ClosedError,
  ConfigError,
  ErrorCodes,
  silentLogger,
  type Address,
  type AbortOptions,
  type BrineError,
  type CryptoSuite,
  type Logger,
  type PublishServer,
  type RequestServer,
  type RequestServerStats,
  type TransportCapabilities,
  type TransportFactory,
  deadline,
} from '@brine/contracts';
import type { AdmissionStats } from '../auth/admission.js';
import { CommandRegistry } from '../channel/command-registry.js';
import type { PubServerChannel } from '../channel/pub-server-channel.js';
import { transportOptionsOf } from '../config/resolve.js';
import { checkInboundBudget } from '../config/budget-check.js';
import type { MasterConfig } from '../config/types.js';
import { EventBus } from '../events/event-bus.js';
import { tags } from '../events/tags.js';
import { KeyManager, loadableIn, type KeyChange } from '../keystore/key-manager.js';
import type { KeyStore } from '../keystore/types.js';
import type { Dict } from '../protocol/values.js';
import { composeMasterCore, type MasterCore } from './compose.js';
import { fitConnectionsToFds, type FdBudget } from './fd-budget.js';
import { JidFactory } from './jid.js';
import { JobTracker, type JobResult } from './jobs.js';
import { registerMasterCommands } from './master-commands.js';
import {
  resolveNodegroupTarget,
  selectMinions,
  TARGET_TYPES,
  TargetError,
  type Nodegroups,
  type Target,
} from '../match/index.js';
import { MemoryMinionDataCache, type MinionDataCache } from './minion-data.js';
import { MasterTelemetry, type MasterStats } from './telemetry.js';

export interface PublishJob {
  tgt: Target;
  fun: string;
  arg?: unknown[];
  /** Keyword arguments; sent as Salt does, as a trailing `{__kwarg__: true, ...}` in `arg`. */
  kwarg?: Dict;
  tgt_type?: string;
  /** Use this jid instead of a new one. */
  jid?: string;
  /** Grain/pillar target delimiter (Salt's `delimiter`, default ':'). */
  delimiter?: string;
  user?: string;
}

export interface RunOptions extends AbortOptions {
  tgt_type?: string;
  delimiter?: string;
  kwarg?: Dict;
}

export interface MasterAddresses {
  publish: Address;
  request: Address;
}

export interface MasterDeps {
  /** A resolved master config (`resolveMasterConfig`; `createMaster` resolves it for you). */
  config: MasterConfig;
  transport: TransportFactory;
  suite: CryptoSuite;
  keyStore: KeyStore;
  logger?: Logger;
  bus?: EventBus;
  /** The process's soft RLIMIT_NOFILE (`readOpenFileLimit` from `@brine/core/node`); undefined when unknown. */
  openFileLimit?: () => number | undefined;
  /** Salt's minion data cache (the grains minions send). Default: in memory. */
  minionData?: MinionDataCache;
}

/**
 * A Brine master: the request server (auth, `_return`, minion events) and the publish server on
 * the configured transport, the key store, job publishing with Salt's targeting, return
 * collection and events. Build it with `createMaster(config, wiring)` (or `@brine/core/di`).
 */
export class Master {
  readonly config: MasterConfig;
  readonly suite: CryptoSuite;
  readonly store: KeyStore;
  readonly bus: EventBus;
  readonly keys: KeyManager;
  /** The encrypted commands this master serves; `register` adds an app's own. */
  readonly commands = new CommandRegistry();
  /** Requests, publishes and completed jobs as they happen, for metrics (`@brine/core/metrics`). */
  readonly telemetry = new MasterTelemetry();
  private readonly transport: TransportFactory;
  private readonly openFileLimit: (() => number | undefined) | undefined;
  private configured: TransportFactory | undefined;
  private readonly logger: Logger;
  private readonly jobs: JobTracker;
  private readonly jids = new JidFactory();
  private readonly connected = new Set<string>();
  /** The grains minions sent (Salt's minion data cache), for grain and compound targets. */
  readonly minionData: MinionDataCache;
  private state: MasterStats['state'] = 'new';
  private parts:
    | {
        core: MasterCore;
        pub: PubServerChannel;
        pubServer: PublishServer;
        reqServer: RequestServer;
        addresses: MasterAddresses;
      }
    | undefined;
  private readonly errorListeners = new Set<(error: BrineError) => void>();
  private lastBusyEvent = -Infinity;

  constructor(deps: MasterDeps) {
    this.config = deps.config;
    this.transport = deps.transport;
    // A budget below a message size it allows is a config that can never work: refuse it now.
    checkInboundBudget(transportOptionsOf(this.config, this.transport));
    this.openFileLimit = deps.openFileLimit;
    this.suite = deps.suite;
    this.store = deps.keyStore;
    this.logger = deps.logger ?? silentLogger;
    this.bus = deps.bus ?? new EventBus();
    this.minionData = deps.minionData ?? new MemoryMinionDataCache();
    this.jobs = new JobTracker({
      maxJobs: this.config.max_jobs,
      keepJobs: this.config.keep_jobs,
      onComplete: (jid, minions, durationMs) => this.telemetry.emit('jobComplete', { jid, minions, durationMs }),
    });
    this.keys = new KeyManager(this.store, this.suite, {
      onChange: (change) => this.onKeyChange(change),
      isAcceptableKey: loadableIn(this.suite),
    });
    registerMasterCommands(this.commands, {
      bus: this.bus,
      jobs: this.jobs,
      refuse: (error) => this.report(error),
      seen: (id) => this.connected.add(id),
      storeGrains: (id, grains) => {
        const previous = this.minionData.get(id);
        void Promise.resolve(this.minionData.set(id, { ...previous, grains })).catch((error: unknown) =>
          this.logger.warning(`Cannot cache the grains of ${id}: ${String(error)}`),
        );
      },
      maxEvents: this.config.minion_event_max_events,
      maxEventKeys: this.config.minion_event_max_keys,
    });
  }

  /** Where the servers listen (after `start`). */
  /**
   * What the transport can do under this master's config (e.g. targeted publish only with
   * `zmq_filtering` on ZeroMQ). Known once `start()` has built the transport.
   */
  get capabilities(): TransportCapabilities | undefined {
    return this.configured?.capabilities;
  }

  get addresses(): MasterAddresses {
    if (!this.parts) throw new StateError(ErrorCodes.INVALID_STATE, 'master is not started');
    return this.parts.addresses;
  }

  /**
   * The sign-in queue (`auth_queue_max`): sign-ins in flight now and at peak, admitted, refused
   * with "busy, retry after" (a counter for metrics), and the sign-in rate the delay hints assume.
   */
  authStats(): AdmissionStats {
    if (!this.parts) throw new StateError(ErrorCodes.INVALID_STATE, 'master is not started');
    return this.parts.core.auth.admissionStats();
  }

  /** Minion ids seen alive since the last restart or key change. */
  /** Subscribers on the publish server now (0 before `start`). */
  get publishSubscribers(): number {
    return this.parts?.pub.subscriberCount ?? 0;
  }

  /** Resolves once `n` subscribers are connected to the publish server (after `start`). */
  waitForSubscribers(n: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.running().pub.waitForSubscribers(n, options);
  }

  get connectedMinions(): string[] {
    return [...this.connected].sort();
  }

  /** How the connection caps were fitted under the descriptor limit (after `start`). */
  get fdBudget(): FdBudget | undefined {
    return this.budget;
  }
  private budget: FdBudget | undefined;

  /** What the request server holds and has refused (`RequestServer.stats`), once started. */
  requestStats(): RequestServerStats | undefined {
    return this.parts?.reqServer.stats?.();
  }

  /** `running` once the listeners are bound and the keys loaded; `closed` after `close()` or a failed start. */
  get status(): MasterStats['state'] {
    return this.state;
  }

  /** What the master holds now (connected minions, handshakes, jobs, the request server's stats), for metrics. */
  stats(): MasterStats {
    const parts = this.parts;
    const out: MasterStats = {
      state: this.state,
      transport: this.transport.name,
      connectedMinions: this.connected.size,
      publishSubscribers: parts?.pubServer.subscriberCount ?? 0,
      handshakesInFlight: parts?.core.requests.handshakesInFlight ?? 0,
      handshakesRefused: parts?.core.auth.admissionStats().refused ?? 0,
      jobs: this.jobs.size,
      jobsEvicted: this.jobs.evicted,
    };
    const requestServer = parts?.reqServer.stats?.();
    if (requestServer) out.requestServer = requestServer;
    return out;
  }

  /** Bad requests the master refused (typed errors), for logs and tests. */
  onError(listener: (error: BrineError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  async start(): Promise<MasterAddresses> {
    if (this.state !== 'new') throw new StateError(ErrorCodes.INVALID_STATE, `master is ${this.state}`);
    this.state = 'starting';
    const { config, suite, store, logger } = this;
    logger.info('Creating master process manager');
    // Connection caps fitted under the descriptor limit: a flood leaves fds for the control socket
    // and the key store.
    const { options, budget } = fitConnectionsToFds(
      transportOptionsOf(config, this.transport, { logger: logger.child(`transport.${this.transport.name}`) }),
      { maxOpenFiles: config.max_open_files, softLimit: this.openFileLimit?.(), reserve: config.fd_reserve },
    );
    this.budget = budget;
    if (budget?.lowered) {
      logger.warning(
        `max_connections lowered to ${budget.perListener} per listener: ${budget.limit} open files (max_open_files / ulimit -n) minus fd_reserve ${budget.reserve}, shared by the request and publish listeners`,
      );
    }
    // The factory with this config's options: its capabilities are the ones that hold here.
    const transport = (this.configured = this.transport.withOptions(options));
    const { targetedPublish, presence, tls } = transport.capabilities;
    logger.debug(
      `Transport ${transport.displayName ?? transport.name}: targeted publish ${onOff(targetedPublish)}, presence ${onOff(presence)}, TLS ${onOff(tls)}`,
    );
    let publishPort = config.publish_port;
    const core = await composeMasterCore({
      config,
      suite,
      keyStore: store,
      logger,
      commands: this.commands,
      publishPort: () => publishPort,
      connectedIds: () => this.connected,
      onAuthEvent: (event) => {
        if (event.act === 'accept') this.connected.add(event.id);
        if (config.auth_events) this.bus.fire(tags.auth, { ...event });
      },
      onAuthBusy: ({ stats }) => {
        // One event per second at most, whatever the storm: the counters say how many.
        const now = Date.now();
        if (now - this.lastBusyEvent < 1000) return;
        this.lastBusyEvent = now;
        this.bus.fire(tags.authBusy, { ...stats });
      },
      onError: (error) => this.report(error),
      onRequest: (event) => this.telemetry.emit('request', event),
    });
    logger.info('Creating master publisher process');
    const pubServer = transport.publishServer({
      highWaterMark: config.pub_hwm,
      drainTimeout: config.publish_drain_timeout * 1000,
    });
    const pub = core.publisher(pubServer);
    pubServer.events.on('presence', (_peer, id) => this.connected.add(id));
    const reqServer = transport.requestServer();
    try {
      const publish = await pub.listen({ host: config.interface, port: config.publish_port });
      if ('port' in publish) publishPort = publish.port;
      logger.info('Creating master request server process');
      const request = await reqServer.listen({ host: config.interface, port: config.ret_port }, core.requests.handle);
      this.parts = { core, pub, pubServer, reqServer, addresses: { publish, request } };
    } catch (error) {
      // A failed start releases everything it bound (a port in use must not leave the other one held).
      this.state = 'closed';
      await Promise.allSettled([reqServer.close(), pub.close()]);
      throw error;
    }
    this.state = 'running';
    const accepted = await store.listMinionKeys('accepted');
    logger.debug(`This salt-master instance has accepted ${accepted.length} minion keys.`);
    return this.parts.addresses;
  }

  /**
   * The accepted minions a target selects, as the salt CLI and CkMinions.check_minions see it
   * (nodegroups expanded; grain, pillar and compound terms read the minion data cache). Throws
   * ConfigError for an unknown target type or a target over the bounds.
   */
  async select(
    target: Target,
    type = 'glob',
    delimiter?: string,
  ): Promise<{ tgt: Target; tgtType: string; minions: string[] }> {
    let tgtType = type;
    let tgt: Target = target;
    if (tgtType === 'nodegroup' || tgtType === 'compound') {
      // The salt CLI's LocalClient._prep_pub: nodegroups are expanded before the publish.
      try {
        ({ tgt, tgtType } = resolveNodegroupTarget(tgt, tgtType, this.config.nodegroups as Nodegroups));
      } catch (error) {
        throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, (error as Error).message, { cause: error });
      }
    }
    if (!(TARGET_TYPES as readonly string[]).includes(tgtType)) {
      throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `unsupported target type '${tgtType}'`);
    }
    const accepted = await this.store.listMinionKeys('accepted');
    try {
      const minions = selectMinions(
        tgt,
        tgtType,
        accepted.map((id) => ({ id, ...this.minionData.get(id) })),
        { nodegroups: this.config.nodegroups as Nodegroups, ...(delimiter ? { delimiter } : {}) },
      ).minions.filter((id) => accepted.includes(id));
      return { tgt, tgtType, minions };
    } catch (error) {
      if (error instanceof TargetError)
        throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, error.message, { cause: error });
      throw error;
    }
  }

  /**
   * Publishes a job to the minions the target selects (with accepted keys); when it selects none,
   * nothing is sent, as with Salt. Resolves with its jid and the targeted minions.
   */
  async publish(job: PublishJob, options: AbortOptions = {}): Promise<{ jid: string; minions: string[] }> {
    const parts = this.running();
    if (typeof job.fun !== 'string' || job.fun === '') {
      throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, 'a job needs a function name');
    }
    const { tgt, tgtType, minions } = await this.select(job.tgt, job.tgt_type, job.delimiter);
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
    const load: Dict = { fun: job.fun, arg, tgt, jid, ret: '', tgt_type: tgtType, user: job.user ?? 'root' };
    if (job.delimiter) load.delimiter = job.delimiter;
    this.jobs.start(jid, minions);
    this.bus.fire(tags.jobNew(jid), {
      jid,
      tgt,
      tgt_type: tgtType,
      minions,
      fun: job.fun,
      arg,
      user: load.user,
    });
    this.logger.debug(`Published job ${jid} (${job.fun}) to ${minions.length} minion(s)`);
    const started = performance.now();
    const { bytes } = await parts.pub.publish(load, { ...options, topics: minions });
    this.telemetry.emit('publish', {
      jid,
      fun: job.fun,
      minions: minions.length,
      bytes,
      durationMs: performance.now() - started,
    });
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
    if (options.delimiter) job.delimiter = options.delimiter;
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
    parts.core.shared.rotate();
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
    parts.core.tokens.clear();
    for (const id of [...this.connected]) {
      if (accepted.has(id)) continue;
      parts.core.sessions.drop(id);
      parts.core.replay.forget(id);
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
    if (this.state !== 'running' || !this.parts) throw new ClosedError(ErrorCodes.CLOSED, `master is ${this.state}`);
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
      parts.core.sessions.drop(move.id);
      parts.core.tokens.forget(move.id);
      parts.core.replay.forget(move.id);
      this.connected.delete(move.id);
    }
    if (change.rotate && this.config.rotate_aes_key) this.rotateAesKey(`key ${change.action}`);
  }
}

function onOff(flag: boolean): string {
  return flag ? 'on' : 'off';
}
