import type { AuthOutcome, AuthServer } from '../auth/auth-server.js';
import type { MasterKeys } from '../auth/master-keys.js';
import type { SessionKeys } from '../auth/session-keys.js';
import type { SharedKey } from '../auth/shared-key.js';
import { Crypticle } from '../crypto/crypticle.js';
import {
  type CryptoSuite,
  AuthError,
  ErrorCodes,
  ProtocolError,
  TransportError,
  toBrineError,
  type BrineError,
  type Logger,
  dumps,
  type RequestContext,
} from '@brine/contracts';
import { isValidMinionId } from '../keystore/minion-id.js';
import type { KeyStore } from '../keystore/types.js';
import { BAD_LOAD, NOT_A_DICT, NULL_BYTE_ID, SERVER_EXCEPTION } from '../protocol/constants.js';
import { readEnvelope, readLoad, type Envelope } from '../protocol/envelope.js';
import { bytesField, isDict, type Dict } from '../protocol/values.js';
import { PrivateReply, type CommandHandler } from './commands.js';
import { RateLimitedLog } from '../limits/rate-limited-log.js';
import { FairScheduler } from '../limits/fair-scheduler.js';
import type { ReplayGuard } from './replay-guard.js';
import type { TokenVerifier } from './token-verifier.js';

export interface ReqServerChannelOptions {
  /** Refuse requests below this protocol version (Salt `minimum_auth_version`, 3: no downgrade). */
  minimumAuthVersion?: number;
  /** Refuse v3 requests older than this many seconds (Salt `request_server_ttl`; 0 = off). */
  requestServerTtl?: number;
  /** WARNING lines per minute per refusal kind (error code); Brine `log_rate_limit`, default 10. */
  logRateLimit?: number;
  /**
   * Refusals a connection that has not authenticated may earn before the transport is asked to
   * close it (`context.drop`, tcp and ws): a peer that only sends junk costs a few replies, not
   * thousands. Brine `max_unauthenticated_refusals`, default 8; 0 = never.
   */
  maxUnauthenticatedRefusals?: number;
  /**
   * Fair service: ms of synchronous request handling per event-loop turn before requests wait and
   * are served one per connection in turn (Brine `request_fair_slice`, default 4; 0 = off).
   */
  fairSliceMs?: number;
  /** The scheduler itself (tests inject one with a fake clock); overrides `fairSliceMs`. */
  scheduler?: FairScheduler;
}

/** An encrypted request that decrypted and passed the checks that need no await. */
interface Verified {
  envelope: Envelope;
  load: Dict;
  crypticle: Crypticle;
  nonce: string | undefined;
  id: string;
  call: Call;
}

export interface ReqServerChannelDeps {
  suite: CryptoSuite;
  store: KeyStore;
  masterKeys: MasterKeys;
  shared: SharedKey;
  sessions: SessionKeys;
  authServer: AuthServer;
  tokens: TokenVerifier;
  replay: ReplayGuard;
  logger: Logger;
  /** Encrypted commands this master serves; anything else is refused (explicit allow-list). */
  commands: { get(name: string): CommandHandler | undefined };
  /** Bad requests, for metrics and tests; the reply has already been decided. */
  onError?: (error: BrineError, context: RequestContext) => void;
  /** Every request once its reply is decided (command, result, time taken), for metrics. */
  onRequest?: (event: RequestOutcome) => void;
}

/** What {@link ReqServerChannelDeps.onRequest} is told about one request (`MasterTelemetry`'s `request`). */
export interface RequestOutcome {
  /** `_auth`, a registered command's name, or `other` (unknown, or refused before the command was known). */
  cmd: string;
  result: 'ok' | 'refused' | 'error';
  code?: string;
  auth?: AuthOutcome;
  durationMs: number;
}

/** One request's progress through the channel, filled in as it goes. */
interface Call {
  readonly context: RequestContext;
  cmd: string;
  result: RequestOutcome['result'];
  code?: string;
  auth?: AuthOutcome;
}

/**
 * The master's request channel (Salt's `ReqServerChannel.handle_message`). Installed as the
 * transport's request handler. The clear channel serves `_auth` alone (CVE-2020-11651); every
 * encrypted request is decrypted with the minion's session key (v3) or the shared key (v2),
 * bound to its minion id by the verified `tok`, checked for replay and TTL, and dispatched to an
 * allow-listed command. Bad requests get Salt's bare-string replies and never throw.
 */
export class ReqServerChannel {
  private readonly minimumVersion: number;
  private readonly ttl: number;

  constructor(
    private readonly deps: ReqServerChannelDeps,
    options: ReqServerChannelOptions = {},
  ) {
    this.minimumVersion = options.minimumAuthVersion ?? 3;
    this.ttl = options.requestServerTtl ?? 0;
    this.limitedLog = new RateLimitedLog(deps.logger, options.logRateLimit ?? 10);
    this.scheduler = options.scheduler ?? new FairScheduler({ sliceMs: options.fairSliceMs ?? 4 });
    this.maxUnauthenticatedRefusals = options.maxUnauthenticatedRefusals ?? 8;
  }

  private readonly maxUnauthenticatedRefusals: number;

  private readonly limitedLog: RateLimitedLog;
  /**
   * Decrypting and running a command are charged per connection (a minion's request connection,
   * a zeromq routing id): one peer's heavy requests back to back cannot hold the others back for
   * more than about one of its items.
   */
  private readonly scheduler: FairScheduler;
  /** Connections (by their abort signal, one per connection) that proved themselves, and refusals of the others. */
  private readonly proven = new WeakSet<AbortSignal>();
  private readonly strikes = new WeakMap<AbortSignal, number>();
  private handshakes = 0;

  /** `_auth` requests being handled now. */
  get handshakesInFlight(): number {
    return this.handshakes;
  }

  /** The transport RequestHandler. */
  readonly handle = async (message: unknown, context: RequestContext): Promise<unknown> => {
    const started = performance.now();
    const call: Call = { context, cmd: 'other', result: 'ok' };
    try {
      return await this.scheduler.run(context.peer.id, () => this.handleMessage(message, call));
    } catch (error) {
      const typed = toBrineError(error, ErrorCodes.HANDLER, 'request handling failed');
      this.deps.logger.error(`Some exception handling a payload from minion: ${typed.message}`, typed);
      this.deps.onError?.(typed, context);
      call.result = 'error';
      call.code = typed.code;
      return SERVER_EXCEPTION;
    } finally {
      this.report(call, performance.now() - started);
    }
  };

  private report(call: Call, durationMs: number): void {
    const onRequest = this.deps.onRequest;
    if (!onRequest) return;
    const event: RequestOutcome = { cmd: call.cmd, result: call.result, durationMs };
    if (call.code !== undefined) event.code = call.code;
    if (call.auth !== undefined) event.auth = call.auth;
    onRequest(event);
  }

  private refuse(error: BrineError, call: Call, reply: string = BAD_LOAD): string {
    // One line per refusal, rate-limited per code: a flooding peer costs a bounded amount of log.
    this.limitedLog.warning(error.code, error.message, error);
    this.deps.onError?.(error, call.context);
    this.strike(call.context);
    call.result = 'refused';
    call.code = error.code;
    return reply;
  }

  private authenticated(context: RequestContext): void {
    this.proven.add(context.signal);
    context.authenticate?.();
  }

  /** One more refusal for a connection that has not authenticated; at the bound it is dropped. */
  private strike(context: RequestContext): void {
    const limit = this.maxUnauthenticatedRefusals;
    if (limit <= 0 || !context.drop || this.proven.has(context.signal)) return;
    const n = (this.strikes.get(context.signal) ?? 0) + 1;
    this.strikes.set(context.signal, n);
    if (n < limit) return;
    context.drop(
      new TransportError(
        ErrorCodes.TOO_MANY_REFUSALS,
        `${context.peer.id}: ${n} requests refused before authenticating (max_unauthenticated_refusals ${limit}); closing the connection`,
        { details: { refusals: n, maxUnauthenticatedRefusals: limit } },
      ),
    );
  }

  private handleMessage(message: unknown, call: Call): unknown {
    const { context } = call;
    let envelope: Envelope;
    try {
      envelope = readEnvelope(message);
    } catch (error) {
      return this.refuse(toBrineError(error, ErrorCodes.BAD_LOAD, 'bad load received on socket'), call);
    }
    const { version } = envelope;
    if (version < this.minimumVersion) {
      const claimed =
        isDict(envelope.load) && typeof envelope.load.id === 'string' ? envelope.load.id : 'unknown minion';
      return this.refuse(
        new AuthError(
          ErrorCodes.VERSION_TOO_OLD,
          `Rejected authentication attempt from minion '${claimed.slice(0, 64)}' using protocol version ${version} (minimum required: ${this.minimumVersion})`,
        ),
        call,
      );
    }

    if (envelope.enc === 'clear') return this.handleClear(envelope, call);

    let decrypted: unknown;
    let crypticle: Crypticle;
    try {
      crypticle = this.crypticleFor(envelope);
      decrypted = crypticle.loads(this.blobOf(envelope));
    } catch (error) {
      return this.refuse(toBrineError(error, ErrorCodes.AUTHENTICATION, 'cannot decrypt request'), call);
    }
    let load: Dict;
    try {
      load = readLoad(decrypted);
    } catch (error) {
      const typed = toBrineError(error, ErrorCodes.BAD_LOAD);
      const reply = typed.code === ErrorCodes.INVALID_MINION_ID ? NULL_BYTE_ID : NOT_A_DICT;
      return this.refuse(typed, call, reply);
    }

    const rawNonce = version > 1 ? load.nonce : undefined;
    if (version > 1) delete load.nonce;
    const nonce = typeof rawNonce === 'string' ? rawNonce : undefined;
    let claim: { id: string; tok: Uint8Array | undefined };
    try {
      claim = this.checkLoad(envelope, load);
    } catch (error) {
      return this.refuse(toBrineError(error, ErrorCodes.AUTHENTICATION), call);
    }
    const request: Verified = { envelope, load, crypticle, nonce, id: claim.id, call };
    // The common case, a token already verified: the command runs in this same turn of the
    // scheduler (one fair-service charge per request, no extra await).
    if (claim.tok === undefined || this.deps.tokens.verifiedNow(claim.id, claim.tok)) return this.dispatch(request);
    return this.deps.tokens.verify(claim.id, claim.tok).then(
      () => this.scheduler.run(context.peer.id, () => this.dispatch(request)),
      (error: unknown) => this.refuse(toBrineError(error, ErrorCodes.AUTHENTICATION), call),
    );
  }

  /** Replay check, then the allow-listed command, then the encrypted reply. */
  private dispatch(request: Verified): unknown {
    const { envelope, load, crypticle, nonce, id: minionId, call } = request;
    const { context } = call;
    try {
      if (nonce !== undefined)
        this.deps.replay.check(minionId, nonce, typeof load.ts === 'number' ? load.ts : undefined);
    } catch (error) {
      return this.refuse(toBrineError(error, ErrorCodes.AUTHENTICATION), call);
    }
    // The request decrypted and its token verified: the connection has proven itself, so the
    // transport lifts its pre-authentication bounds (authMaxMessageSize, unauthenticatedTimeout).
    this.authenticated(context);

    const cmd = load.cmd;
    const handler = typeof cmd === 'string' ? this.deps.commands.get(cmd) : undefined;
    if (!handler) {
      this.refuse(
        new ProtocolError(
          ErrorCodes.UNKNOWN_COMMAND,
          `Received unsupported command ${JSON.stringify(String(cmd)).slice(0, 64)} from ${minionId}`,
        ),
        call,
      );
      return crypticle.dumps({}, nonce);
    }
    call.cmd = cmd as string;
    const finish = (ret: unknown): unknown =>
      ret instanceof PrivateReply ? this.privateReply(ret, minionId, nonce, envelope) : crypticle.dumps(ret, nonce);
    const ret = handler(load, { ...context, minionId, version: envelope.version });
    return isPromiseLike(ret) ? Promise.resolve(ret).then(finish) : finish(ret);
  }

  private async handleClear(envelope: Envelope, call: Call): Promise<unknown> {
    const { context } = call;
    if (!isDict(envelope.load) || envelope.load.cmd !== '_auth') {
      const cmd = isDict(envelope.load) ? String(envelope.load.cmd) : typeof envelope.load;
      return this.refuse(
        new AuthError(
          ErrorCodes.CLEAR_FORBIDDEN,
          `clear request '${cmd.slice(0, 64)}' refused: only _auth is served in clear`,
        ),
        call,
      );
    }
    call.cmd = '_auth';
    this.handshakes++;
    let result;
    try {
      result = await this.deps.authServer.handle(envelope.load, envelope.version);
    } finally {
      this.handshakes--;
    }
    call.auth = result.outcome;
    if (result.error) {
      this.deps.onError?.(result.error, context);
      call.result = 'refused';
      call.code = result.error.code;
    }
    if (result.outcome === 'accept') this.authenticated(context);
    return result.reply;
  }

  private blobOf(envelope: Envelope): Uint8Array {
    const blob = bytesField(envelope.load);
    if (!blob) throw new ProtocolError(ErrorCodes.BAD_LOAD, 'encrypted load is not bytes');
    return blob;
  }

  private crypticleFor(envelope: Envelope): Crypticle {
    if (envelope.version <= 2) return this.deps.shared.crypticle;
    const id = envelope.id;
    if (!isValidMinionId(id)) throw new AuthError(ErrorCodes.INVALID_MINION_ID, 'Encountered invalid id');
    const crypticle = this.deps.sessions.crypticleFor(id);
    if (!crypticle) throw new AuthError(ErrorCodes.AUTHENTICATION, `no session for ${id}; it must authenticate`);
    return crypticle;
  }

  /** The v3 checks (ttl, id match, valid id, required tok) or the v2 ones (valid id, optional tok). */
  private checkLoad(envelope: Envelope, load: Dict): { id: string; tok: Uint8Array | undefined } {
    const id = load.id;
    const tok = bytesField(load.tok);
    delete load.tok;
    if (envelope.version > 2) {
      if (this.ttl > 0) {
        const ts = typeof load.ts === 'number' ? load.ts : NaN;
        const age = Date.now() / 1000 - ts;
        if (!(age <= this.ttl)) {
          throw new AuthError(
            ErrorCodes.REQUEST_EXPIRED,
            `Received request from ${String(id)} with expired ttl: ${Math.floor(age)} > ${this.ttl}`,
          );
        }
      }
      if (envelope.id !== id) {
        throw new AuthError(
          ErrorCodes.AUTHENTICATION,
          `Request id mismatch. Found '${String(id)}' but expected '${String(envelope.id)}'`,
        );
      }
      if (!isValidMinionId(id)) throw new AuthError(ErrorCodes.INVALID_MINION_ID, 'Request contains invalid minion id');
      if (!tok) throw new AuthError(ErrorCodes.TOKEN_INVALID, `Request from ${id} has no token`);
      return { id, tok };
    }
    if (!isValidMinionId(id)) throw new AuthError(ErrorCodes.INVALID_MINION_ID, 'Request contains invalid minion id');
    return { id, tok };
  }

  /** Salt's `_encrypt_private`. */
  private async privateReply(
    ret: PrivateReply,
    id: string,
    nonce: string | undefined,
    envelope: Envelope,
  ): Promise<unknown> {
    const { suite, store, masterKeys } = this.deps;
    const pem = await store.getMinionKey('accepted', id);
    if (pem === undefined) return this.deps.shared.crypticle.dumps({});
    const key = suite.generateSessionKey();
    const pcrypt = Crypticle.fromKey(suite, key);
    const encAlgo = envelope.enc_algo || suite.encAlgos[0];
    const sigAlgo = envelope.sig_algo || suite.sigAlgos[0];
    const sealed = await suite.seal(suite.importPublicKey(pem), new TextEncoder().encode(key), { algo: encAlgo });
    const value = ret.value === false ? {} : ret.value;
    const out: Dict = { key: sealed };
    if (envelope.version > 1) {
      if (nonce === undefined) return { error: 'Nonce not included in request' };
      const tosign = dumps({ key: sealed, pillar: value, nonce });
      out[ret.dictKey] = pcrypt.dumps({
        data: tosign,
        sig: await suite.sign(masterKeys.privateKey, tosign, { algo: sigAlgo }),
      });
    } else {
      out[ret.dictKey] = pcrypt.dumps(value);
    }
    return out;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
