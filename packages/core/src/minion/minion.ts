import {
  StateError,
  ClosedError,
  ErrorCodes,
  silentLogger,
  toBrineError,
  TypedEmitter,
  delay,
  formatAddress,
  type AbortOptions,
  type CryptoSuite,
  type Logger,
  type PublishClient,
  type RequestClient,
  type TransportFactory,
} from '@brine/contracts';
import type { AsyncAuth } from '../auth/async-auth.js';
import type { AuthTransition } from '../auth/auth-state.js';
import type { CredentialsCache } from '../auth/credentials-cache.js';
import type { PubChannel } from '../channel/pub-channel.js';
import type { ReqChannel } from '../channel/req-channel.js';
import type { MinionConfig } from '../config/types.js';
import { EventBus, saltStamp } from '../events/event-bus.js';
import { tags } from '../events/tags.js';
import type { KeyStore } from '../keystore/types.js';
import { matchTarget } from '../master/targeting.js';
import { isDict, type Dict } from '../protocol/values.js';
import { composeMinionChannels } from './compose.js';
import { FunctionRegistry, splitArgs } from './functions.js';
import { MemoryJidCache, type JidCache } from './jid-cache.js';
import { tooLargeReturn } from './too-large-return.js';

export interface MinionDeps {
  /** A resolved minion config (`resolveMinionConfig`; `createMinion` resolves it for you). */
  config: MinionConfig;
  transport: TransportFactory;
  suite: CryptoSuite;
  keyStore: KeyStore;
  logger?: Logger;
  bus?: EventBus;
  /** Salt's creds_map: pass one cache to minions that should share credentials. */
  credentials?: CredentialsCache;
  /** Jids already run (a replayed publish never runs twice); `FsJidCache` persists them in the cachedir. Default: in memory, `minion_jid_cache` jids. */
  jidCache?: JidCache;
}

export interface MinionEvents {
  /** A publish that targets this minion, before it runs. */
  job: [load: Dict];
  /** The return sent (or that failed to send) for a job. */
  return: [ret: Dict, sent: boolean];
  auth: [transition: AuthTransition];
  /** Reconnected and re-authenticated after a master restart or key rotation. */
  reconnect: [];
}

/**
 * A Brine minion: signs in (AsyncAuth), listens on the publish channel, runs the functions the
 * embedding app registered (`test.ping`, `test.echo` built in) for jobs that target it, and sends
 * `_return`. Reconnects and re-authenticates on its own after master restarts and key rotation.
 */
export class Minion {
  readonly functions = new FunctionRegistry();
  readonly events = new TypedEmitter<MinionEvents>();
  readonly bus: EventBus;
  private state: 'new' | 'starting' | 'running' | 'closed' = 'new';
  private readonly stop = new AbortController();
  private parts:
    | { auth: AsyncAuth; req: ReqChannel; pub: PubChannel; reqClient: RequestClient; pubClient: PublishClient }
    | undefined;
  private loop: Promise<void> | undefined;
  private readonly running = new Set<Promise<void>>();
  /** Jobs being run, by jid: what `saltutil.running` and `saltutil.find_job` report. */
  private readonly jobs = new Map<string, Dict>();

  readonly config: MinionConfig;
  readonly suite: CryptoSuite;
  readonly store: KeyStore;
  private readonly transport: TransportFactory;
  private readonly logger: Logger;
  private readonly credentials: CredentialsCache | undefined;
  private readonly jidCache: JidCache;

  constructor(deps: MinionDeps) {
    this.config = deps.config;
    this.transport = deps.transport;
    this.suite = deps.suite;
    this.store = deps.keyStore;
    this.logger = deps.logger ?? silentLogger;
    this.credentials = deps.credentials;
    this.bus = deps.bus ?? new EventBus();
    this.jidCache = deps.jidCache ?? new MemoryJidCache(this.config.minion_jid_cache);
    // What the `salt` CLI asks a minion that has not returned yet: `{}` tells it the job is done.
    // As in Salt, a job does not see itself.
    const others = (self: string): Dict[] => [...this.jobs.values()].filter((job) => job.jid !== self);
    this.functions.register('saltutil.running', (_args, _kwargs, { jid }) => others(jid));
    this.functions.register(
      'saltutil.find_job',
      (args, _kwargs, { jid }) => others(jid).find((job) => job.jid === String(args[0])) ?? {},
    );
  }

  get id(): string {
    return this.config.id;
  }

  /** The sign-in state machine (after `start`). */
  get auth(): AsyncAuth | undefined {
    return this.parts?.auth;
  }

  get masterUri(): string {
    return formatAddress({ host: this.config.master, port: this.config.master_port });
  }

  /**
   * Connects, signs in (waiting through `pending` as long as the options allow) and starts serving
   * jobs. Rejects with ERR_AUTH_REJECTED, ERR_TIMEOUT (with `timeout`) or ERR_ABORTED.
   */
  async start(options: AbortOptions = {}): Promise<void> {
    if (this.state !== 'new') throw new StateError(ErrorCodes.INVALID_STATE, `minion is ${this.state}`);
    this.state = 'starting';
    const { config, suite, store, logger } = this;
    const masterUri = this.masterUri;
    logger.debug('Connecting to master. Attempt 1 of 1');
    logger.debug(`Master URI: ${masterUri}`);
    const channels = await composeMinionChannels({
      config,
      transport: this.transport,
      suite,
      keyStore: store,
      logger,
      ...(this.credentials ? { credentials: this.credentials } : {}),
    });
    const { auth, req, reqClient } = channels;
    const pub = channels.pub!;
    const pubClient = channels.pubClient!;
    auth.events.on('state', (t) => this.events.emit('auth', t));
    this.parts = { auth, req, pub, reqClient, pubClient };
    try {
      await reqClient.connect({ host: config.master, port: config.master_port }, options);
      const creds = auth.creds ?? (await auth.authenticate(options));
      const channelName = `Async${this.transport.displayName ?? this.transport.name}ReqChannel`;
      logger.debug(`Initializing new ${channelName} for (${store.location}, ${config.id}, ${masterUri}, 'aes')`);
      logger.debug(`Re-using AsyncAuth for (${store.location}, ${config.id}, ${masterUri})`);
      const publishPort = config.publish_port || creds.publishPort;
      await pub.connect({ host: config.master, port: publishPort }, options);
      pub.events.on('reconnected', () => void this.announceReconnect());
      pub.events.on('reconnectFailed', (error) => {
        if (!this.stop.signal.aborted) this.logger.error('Sign-in after a publish reconnect failed', error);
      });
      await this.fireStart();
    } catch (error) {
      await this.close();
      throw toBrineError(error, ErrorCodes.UNREACHABLE);
    }
    this.state = 'running';
    this.loop = this.jobLoop(pub);
  }

  /** Sends an event to the master's bus (Salt's `_minion_event`). Tags must be this minion's own. */
  async fireMaster(tag: string, data: unknown, options: AbortOptions = {}): Promise<void> {
    const parts = this.requireParts();
    await parts.req.send({ cmd: '_minion_event', id: this.id, tag, data, pretag: null }, options);
  }

  /**
   * Sends an encrypted request for the master command `cmd` (one an app registered with
   * `master.commands.register`, or one of Salt's) and resolves with the master's decrypted reply.
   * `id` is always this minion's own; a master without the command answers `{}`.
   */
  async request(cmd: string, load: Dict = {}, options: AbortOptions = {}): Promise<unknown> {
    const parts = this.requireParts();
    return parts.req.send({ ...load, cmd, id: this.id }, options);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stop.abort(new ClosedError(ErrorCodes.CLOSED, 'minion stopped'));
    const parts = this.parts;
    parts?.auth.close();
    await Promise.all([parts?.pubClient.close(), parts?.reqClient.close()]);
    await this.loop;
    await Promise.allSettled([...this.running]);
  }

  private requireParts() {
    if (!this.parts || this.state === 'closed') throw new ClosedError(ErrorCodes.CLOSED, 'minion is not running');
    return this.parts;
  }

  private async fireStart(): Promise<void> {
    const data = `Minion ${this.id} started at ${new Date().toUTCString()}`;
    await this.fireMaster(tags.minionStart(this.id), data, { timeout: this.config.request_channel_timeout * 1000 });
  }

  private async announceReconnect(): Promise<void> {
    try {
      await this.fireStart();
      this.logger.info(`Reconnected to the master at ${this.masterUri}`);
      this.events.emit('reconnect');
    } catch (error) {
      if (!this.stop.signal.aborted)
        this.logger.error('Reconnect announcement failed', toBrineError(error, ErrorCodes.CONNECTION_LOST));
    }
  }

  private async jobLoop(pub: PubChannel): Promise<void> {
    try {
      for await (const load of pub) {
        if (!this.targetsMe(load)) continue;
        const jid = String(load.jid);
        if (this.jidCache.has(jid)) {
          this.logger.warning(`Dropping a publish for jid ${jid.slice(0, 64)} already run here (replayed?)`);
          continue;
        }
        // Durable before the job runs: a restart in between never runs it a second time.
        await this.jidCache.add(jid);
        this.events.emit('job', load);
        const task = this.execute(load).finally(() => this.running.delete(task));
        this.running.add(task);
      }
    } catch (error) {
      if (!this.stop.signal.aborted)
        this.logger.error('Publish loop ended', toBrineError(error, ErrorCodes.CONNECTION_LOST));
    }
  }

  private targetsMe(load: Dict): boolean {
    if (!('tgt' in load) || !('jid' in load) || !('fun' in load) || !('arg' in load)) return false;
    const tgt = load.tgt;
    if (typeof tgt !== 'string' && !(Array.isArray(tgt) && tgt.every((t) => typeof t === 'string'))) return false;
    try {
      return matchTarget(this.id, tgt, typeof load.tgt_type === 'string' ? load.tgt_type : 'glob');
    } catch (error) {
      this.logger.warning(`Cannot match target: ${toBrineError(error, ErrorCodes.BAD_LOAD).message}`);
      return false;
    }
  }

  private async execute(load: Dict): Promise<void> {
    const jid = String(load.jid);
    const fun = String(load.fun);
    this.logger.info(`Executing command ${fun} with jid ${jid}`);
    this.jobs.set(jid, jobData(load, jid));
    let ret: Dict;
    try {
      ret = await this.run(fun, load.arg, jid);
    } finally {
      this.jobs.delete(jid);
    }
    const full: Dict = {
      cmd: '_return',
      id: this.id,
      ...ret,
      jid,
      fun,
      fun_args: Array.isArray(load.arg) ? load.arg : [],
      ...(isDict(load) && typeof load.user === 'string' ? { user: load.user } : {}),
      _stamp: saltStamp(),
    };
    const sent = await this.sendReturn(full);
    this.events.emit('return', full, sent);
  }

  /** Runs `fun` and gives Salt's return fields (`success`, `return`, `retcode`). */
  private async run(fun: string, arg: unknown, jid: string): Promise<Dict> {
    const fn = this.functions.get(fun);
    if (!fn) return { success: false, return: `'${fun}' is not available.`, retcode: 254 };
    const { args, kwargs } = splitArgs(arg);
    try {
      const value = await fn(args, kwargs, { jid, id: this.id, signal: this.stop.signal });
      return { success: true, return: value ?? null, retcode: 0 };
    } catch (error) {
      const e = toBrineError(error, ErrorCodes.HANDLER);
      return { success: false, return: `${fun} failed: ${e.message}`, retcode: 1 };
    }
  }

  /**
   * Sends a job's `_return`. One whose encrypted request is over `max_message_size` is refused by
   * the request client before anything is sent (a master with the same limit would drop it, and
   * `brine run` would say "[No response]"): a small error return goes instead, so the master
   * records a clear failure for this minion.
   */
  private async sendReturn(load: Dict): Promise<boolean> {
    try {
      return await this.sendWithRetry(load);
    } catch (error) {
      const limit = this.config.max_message_size;
      const tooLarge = tooLargeReturn(load, toBrineError(error, ErrorCodes.MESSAGE_TOO_LARGE), limit);
      this.logger.warning(
        `Return for ${String(load.jid)}: ${String(tooLarge.return)}; sending an error return instead`,
      );
      try {
        return await this.sendWithRetry(tooLarge);
      } catch (again) {
        const e = toBrineError(again, ErrorCodes.MESSAGE_TOO_LARGE);
        this.logger.warning(`Return for ${String(load.jid)} failed: ${e.message}`, e);
        return false;
      }
    }
  }

  /** Salt's return retry: `return_retry_tries` attempts, each with `return_retry_timer` seconds. Throws only ERR_MESSAGE_TOO_LARGE. */
  private async sendWithRetry(load: Dict): Promise<boolean> {
    const { req } = this.requireParts();
    const tries = Math.max(1, this.config.return_retry_tries);
    for (let attempt = 1; attempt <= tries && !this.stop.signal.aborted; attempt++) {
      try {
        await req.send(load, { timeout: this.config.return_retry_timer * 1000, tries: 1, signal: this.stop.signal });
        return true;
      } catch (error) {
        const e = toBrineError(error, ErrorCodes.REMOTE);
        if (e.code === ErrorCodes.MESSAGE_TOO_LARGE) throw e; // the same bytes would be refused again
        this.logger.warning(`Return for ${String(load.jid)} failed (try ${attempt}/${tries}): ${e.message}`, e);
        if (attempt < tries) await delay(200, this.stop.signal).catch(() => {});
      }
    }
    return false;
  }
}

/** What Salt's proc file holds for a running job (`saltutil.running`): the publish plus the pid. */
function jobData(load: Dict, jid: string): Dict {
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0; // core also runs in browsers
  const data: Dict = { jid, pid };
  for (const key of ['fun', 'arg', 'tgt', 'tgt_type', 'ret', 'user']) {
    if (key in load) data[key] = load[key];
  }
  return data;
}
