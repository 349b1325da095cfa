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
import { matchMinion, TargetError, type Nodegroups } from '../match/index.js';
import { isDict, type Dict } from '../protocol/values.js';
import { composeMinionChannels } from './compose.js';
import { ArgumentError, bindArgs, FunctionRegistry } from './functions.js';
import { grainsOf, mergeGrains, type GrainsProvider } from './grains.js';
import { registerStandardModules, SALT_COMPAT_VERSION } from './modules.js';
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
  /**
   * The core grains (`collectGrains` of `@brine/core/node` in Node: os, /etc/os-release, /proc,
   * interfaces). Default: the few grains core knows without a platform (id, kernel, saltversion).
   * The config's `grains:` and `minion.setGrains` are merged over them.
   */
  grains?: GrainsProvider;
  /** Brine's version (test.versions_report). */
  brineVersion?: string;
}

export interface MinionEvents {
  /** A publish that targets this minion, before it runs. */
  job: [load: Dict];
  /** A publish whose target this minion cannot evaluate (it answered at once with the reason). */
  declined: [load: Dict, reason: string];
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
  private readonly grainsProvider: GrainsProvider | undefined;
  private coreGrains: Dict = {};
  private appGrains: Dict = {};
  private pillarData: Dict | undefined;

  constructor(deps: MinionDeps) {
    this.config = deps.config;
    this.transport = deps.transport;
    this.suite = deps.suite;
    this.store = deps.keyStore;
    this.logger = deps.logger ?? silentLogger;
    this.credentials = deps.credentials;
    this.bus = deps.bus ?? new EventBus();
    this.jidCache = deps.jidCache ?? new MemoryJidCache(this.config.minion_jid_cache);
    this.grainsProvider = deps.grains;
    registerStandardModules({
      functions: this.functions,
      grains: () => this.grains,
      refreshGrains: () => this.refreshGrains(),
      pillar: () => this.pillarData ?? {},
      refreshPillar: () => this.sendGrains(),
      brineVersion: deps.brineVersion ?? '0.1.0',
    });
    // What the `salt` CLI asks a minion that has not returned yet: `{}` tells it the job is done.
    // As in Salt, a job does not see itself.
    const others = (self: string): Dict[] => [...this.jobs.values()].filter((job) => job.jid !== self);
    this.functions.register('saltutil.running', (_args, _kwargs, { jid }) => others(jid), { args: [] });
    this.functions.register(
      'saltutil.find_job',
      (args, kwargs, { jid }) => others(jid).find((job) => job.jid === String(args[0] ?? kwargs.jid)) ?? {},
      { args: ['jid'] },
    );
    this.functions.register(
      'saltutil.is_running',
      (args, kwargs, { jid }) => others(jid).filter((job) => job.fun === String(args[0] ?? kwargs.fun)),
      { args: ['fun'] },
    );
  }

  /**
   * The grains this minion reports: core grains < the config's `grains:` < what the app set with
   * `setGrains`; `id` is always the minion id.
   */
  get grains(): Dict {
    return structuredClone(this.currentGrains());
  }

  private grainsCache: Dict | undefined;

  /** The merged grains, computed once per change (targeting reads them on every publish). */
  private currentGrains(): Dict {
    return (this.grainsCache ??= grainsOf(this.coreGrains, this.config, this.appGrains));
  }

  /** The pillar the master sent at start (`{}` from a Brine master), undefined before or when the master did not answer. */
  get pillar(): Dict | undefined {
    return this.pillarData;
  }

  /**
   * Adds (or replaces) grains from the embedding app, merged over the core and config grains
   * (nested dicts merged when `grains_deep_merge`). A running minion sends them to the master
   * (as `saltutil.refresh_grains` does), so master-side `-G` targeting sees them.
   */
  async setGrains(grains: Dict): Promise<void> {
    this.appGrains = mergeGrains(this.appGrains, grains, this.config.grains_deep_merge);
    this.grainsCache = undefined;
    if (this.state === 'running') await this.sendGrains();
  }

  /** Recomputes the core grains and sends them to the master (Salt's saltutil.refresh_grains). */
  async refreshGrains(): Promise<void> {
    await this.loadCoreGrains(true);
    if (this.state === 'running') await this.sendGrains();
  }

  private async loadCoreGrains(refresh: boolean): Promise<void> {
    const base: Dict = { saltversion: SALT_COMPAT_VERSION, master: this.config.master };
    if (!this.grainsProvider) {
      const platform = (globalThis as { process?: { platform?: string } }).process?.platform;
      this.setCoreGrains({ ...base, ...(platform === 'linux' ? { kernel: 'Linux' } : {}) });
      return;
    }
    try {
      this.setCoreGrains({ ...base, ...(await this.grainsProvider({ refresh })) });
    } catch (error) {
      this.logger.warning(`Cannot compute the core grains: ${toBrineError(error, ErrorCodes.HANDLER).message}`);
      this.setCoreGrains(base);
    }
  }

  private setCoreGrains(grains: Dict): void {
    this.coreGrains = grains;
    this.grainsCache = undefined;
  }

  /**
   * Salt's pillar request (`_pillar`): it carries the grains, which the master keeps in its minion
   * data cache for `-G`/`-C` targeting; the answer is this minion's pillar. A master that does
   * not answer leaves the pillar unknown (pillar terms of a target are then declined).
   */
  private async sendGrains(): Promise<void> {
    const parts = this.requireParts();
    const load: Dict = {
      cmd: '_pillar',
      id: this.id,
      grains: this.currentGrains(),
      saltenv: null,
      pillarenv: null,
      pillar_override: {},
      extra_minion_data: {},
      ver: '2',
    };
    try {
      const pillar = await parts.req.sendPrivate(load, 'pillar', {
        timeout: this.config.request_channel_timeout * 1000,
        tries: 1,
        signal: this.stop.signal,
      });
      if (isDict(pillar)) this.pillarData = pillar;
      else this.logger.warning('Got a bad pillar from master, type dict expected');
    } catch (error) {
      if (!this.stop.signal.aborted)
        this.logger.warning(
          `Exception getting pillar (the grains did not reach the master): ${toBrineError(error, ErrorCodes.REMOTE).message}`,
        );
    }
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
    await this.loadCoreGrains(false);
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
      await this.sendGrains();
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

  /** Salt's `_fire_master_minion_start`: `minion_start` (legacy, on by default) then `salt/minion/<id>/start`. */
  private async fireStart(): Promise<void> {
    const data = `Minion ${this.id} started at ${asctime(new Date())}`;
    const options = { timeout: this.config.request_channel_timeout * 1000 };
    if (this.config.enable_legacy_startup_events) await this.fireMaster(tags.legacyMinionStart, data, options);
    await this.fireMaster(tags.minionStart(this.id), data, options);
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
        const decision = this.targetsMe(load);
        if (decision === false) continue;
        const jid = String(load.jid);
        if (this.jidCache.has(jid)) {
          this.logger.warning(`Dropping a publish for jid ${jid.slice(0, 64)} already run here (replayed?)`);
          continue;
        }
        // Durable before the job runs: a restart in between never runs it a second time.
        await this.jidCache.add(jid);
        if (typeof decision === 'string') {
          const task = this.decline(load, decision).finally(() => this.running.delete(task));
          this.running.add(task);
          continue;
        }
        this.events.emit('job', load);
        const task = this.execute(load).finally(() => this.running.delete(task));
        this.running.add(task);
      }
    } catch (error) {
      if (!this.stop.signal.aborted)
        this.logger.error('Publish loop ended', toBrineError(error, ErrorCodes.CONNECTION_LOST));
    }
  }

  /**
   * Salt's `_target_load` with the shared matchers (packages/core/src/match): true to run, false to
   * ignore, or the reason this minion cannot evaluate the target (a term that needs data it does
   * not have), which it answers at once instead of leaving the caller to time out.
   */
  private targetsMe(load: Dict): boolean | string {
    if (!('tgt' in load) || !('jid' in load) || !('fun' in load) || !('arg' in load)) return false;
    const tgt = load.tgt;
    if (typeof tgt !== 'string' && !(Array.isArray(tgt) && tgt.every((t) => typeof t === 'string'))) return false;
    try {
      const result = matchMinion(
        tgt,
        typeof load.tgt_type === 'string' ? load.tgt_type : 'glob',
        { id: this.id, grains: this.currentGrains(), ...(this.pillarData ? { pillar: this.pillarData } : {}) },
        {
          nodegroups: this.config.nodegroups as Nodegroups,
          ...(typeof load.delimiter === 'string' ? { delimiter: load.delimiter } : {}),
        },
      );
      return typeof result === 'boolean' ? result : result.undecidable;
    } catch (error) {
      const why = error instanceof TargetError ? error.message : toBrineError(error, ErrorCodes.BAD_LOAD).message;
      this.logger.warning(`Cannot match target ${JSON.stringify(String(tgt)).slice(0, 200)}: ${why}`);
      return false;
    }
  }

  /** Answers a publish whose target this minion cannot evaluate, with the reason (retcode 254). */
  private async decline(load: Dict, reason: string): Promise<void> {
    const jid = String(load.jid);
    const message = `Minion ${this.id} cannot evaluate the target ${JSON.stringify(load.tgt)}: ${reason}`;
    this.logger.warning(message);
    this.events.emit('declined', load, reason);
    const full: Dict = {
      cmd: '_return',
      id: this.id,
      success: false,
      return: message,
      retcode: 254,
      jid,
      fun: String(load.fun),
      fun_args: Array.isArray(load.arg) ? load.arg : [],
      ...(typeof load.user === 'string' ? { user: load.user } : {}),
      _stamp: saltStamp(),
    };
    const sent = await this.sendReturn(full);
    this.events.emit('return', full, sent);
  }

  private async execute(load: Dict): Promise<void> {
    const jid = String(load.jid);
    const fun = String(load.fun);
    this.logger.info(`Executing command ${fun} with jid ${jid}`);
    this.jobs.set(jid, jobData(load, jid));
    let ret: Dict;
    try {
      ret = await this.run(fun, load, jid);
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

  /** Runs `fun` and gives Salt's return fields (`success`, `return`, `retcode`, `out` on errors). */
  private async run(fun: string, load: Dict, jid: string): Promise<Dict> {
    const fn = this.functions.get(fun);
    if (!fn) return { success: false, return: `'${fun}' is not available.`, retcode: 254 };
    const spec = this.functions.spec(fun);
    let retcode = 0;
    try {
      const { args, kwargs } = bindArgs(fun, load.arg, spec, publishData(load));
      const context = { jid, id: this.id, signal: this.stop.signal, setRetcode: (code: number) => (retcode = code) };
      const value = await fn(args, kwargs, context);
      return { success: retcode === 0, return: value ?? null, retcode };
    } catch (error) {
      if (error instanceof ArgumentError) {
        const message =
          error.kind === 'type'
            ? `Passed invalid arguments to ${fun}: ${error.message}\n${spec?.doc ?? ''}`
            : `ERROR executing '${fun}': ${error.message}`;
        this.logger.warning(message);
        return { success: false, return: message, retcode: 1, out: 'nested' };
      }
      const e = toBrineError(error, ErrorCodes.HANDLER);
      this.logger.warning(`The minion function caused an exception (${fun}): ${e.message}`);
      return {
        success: false,
        return: `The minion function caused an exception: ${e.message}`,
        retcode: 1,
        out: 'nested',
      };
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

/** The publish as a function with `**kwargs` sees it (`__pub_<key>`), as Salt's load_args_and_kwargs passes it. */
function publishData(load: Dict): Dict {
  const out: Dict = {};
  for (const key of ['fun', 'arg', 'tgt', 'jid', 'ret', 'tgt_type', 'user']) if (key in load) out[key] = load[key];
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Python's `time.asctime()` (local time): `Wed Dec  2 10:58:29 2026`. */
function asctime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
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
