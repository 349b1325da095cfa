import type { AsyncAuth } from '../auth/async-auth.js';
import type { AuthCredentials } from '../auth/credentials.js';
import type { MinionKeys } from '../auth/minion-keys.js';
import {
  type CryptoSuite,
  AuthError,
  ErrorCodes,
  toBrineError,
  type BrineError,
  type Logger,
  type RequestClient,
  type AbortOptions,
} from '@brine/contracts';
import { PROTOCOL_VERSION } from '../protocol/constants.js';
import { uuid4Hex } from '../protocol/nonce.js';
import { bytesField, type Dict } from '../protocol/values.js';

export interface ReqChannelOptions {
  id: string;
  /** Seconds per try (Salt `request_channel_timeout`, 60). */
  timeout?: number;
  /** Tries per request (Salt `request_channel_tries`, 3). */
  tries?: number;
  version?: number;
  encryptionAlgorithm?: string;
  signingAlgorithm?: string;
}

export interface SendOptions extends AbortOptions {
  tries?: number;
}

export interface ReqChannelDeps {
  client: RequestClient;
  auth: AsyncAuth;
  keys: MinionKeys;
  suite: CryptoSuite;
  logger: Logger;
}

/**
 * The minion's request channel (Salt's `AsyncReqChannel`) over any RequestClient. `send` encrypts
 * the load with the session key (v3; the shared key for v2), adding `nonce`, `ts`, `tok`, `id`,
 * and checks the reply's nonce. An authentication failure (rotated key, restarted master)
 * triggers one re-authentication and one resend.
 */
export class ReqChannel {
  private readonly timeout: number;
  private readonly tries: number;
  private readonly version: number;
  /** The minion's `tok`, once known (it never changes for these keys): no await per request. */
  private tok: Uint8Array | undefined;

  private readonly client: RequestClient;
  private readonly auth: AsyncAuth;
  private readonly keys: MinionKeys;
  private readonly suite: CryptoSuite;
  private readonly logger: Logger;

  constructor(
    deps: ReqChannelDeps,
    private readonly options: ReqChannelOptions,
  ) {
    this.client = deps.client;
    this.auth = deps.auth;
    this.keys = deps.keys;
    this.suite = deps.suite;
    this.logger = deps.logger;

    this.timeout = options.timeout ?? 60;
    this.tries = options.tries ?? 3;
    this.version = options.version ?? PROTOCOL_VERSION;
  }

  /** Sends `load` encrypted and resolves with the decrypted reply. */
  async send(load: Dict, options: SendOptions = {}): Promise<unknown> {
    const tries = options.tries ?? this.tries;
    let lastError: BrineError | undefined;
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        return await this.cryptedTransfer(load, options);
      } catch (error) {
        lastError = toBrineError(error, ErrorCodes.REMOTE);
        if (
          options.signal?.aborted ||
          lastError.code === ErrorCodes.CLOSED ||
          lastError.code === ErrorCodes.AUTH_REJECTED ||
          lastError.code === ErrorCodes.MESSAGE_TOO_LARGE // the same bytes would be refused again
        ) {
          throw lastError;
        }
        this.logger.debug(`Failed to send msg (try ${attempt}/${tries}): ${lastError.message}`);
      }
    }
    throw lastError!;
  }

  /** Sends `load` in clear (only `_auth` is accepted by a master; kept for completeness and tests). */
  sendClear(load: Dict, options: AbortOptions = {}): Promise<unknown> {
    return this.client.request({ enc: 'clear', load, version: this.version }, this.withTimeout(options));
  }

  private withTimeout(options: AbortOptions): AbortOptions {
    return { ...options, timeout: options.timeout ?? this.timeout * 1000 };
  }

  private async cryptedTransfer(load: Dict, options: AbortOptions): Promise<unknown> {
    let creds = this.auth.creds ?? (await this.auth.authenticate(options));
    try {
      return await this.transfer(load, creds, options);
    } catch (error) {
      const typed = toBrineError(error, ErrorCodes.REMOTE);
      if (typed.code !== ErrorCodes.AUTHENTICATION) throw typed;
      this.logger.debug(`Request failed authentication (${typed.message}); re-authenticating`);
      creds = await this.auth.authenticate(options);
      return this.transfer(load, creds, options);
    }
  }

  private async transfer(load: Dict, creds: AuthCredentials, options: AbortOptions): Promise<unknown> {
    const v3 = this.version > 2 && creds.sessionCrypticle !== undefined;
    const crypticle = v3 ? creds.sessionCrypticle! : creds.crypticle;
    const nonce = uuid4Hex((n) => this.suite.randomBytes(n));
    const body: Dict = { ...load, nonce };
    if (this.version > 2) {
      body.ts = Math.floor(Date.now() / 1000);
      body.tok = this.tok ??= await this.keys.token();
      body.id = this.options.id;
    }
    const envelope: Dict = { enc: 'aes', load: crypticle.dumps(body), version: this.version };
    if (this.version > 2) {
      envelope.id = this.options.id;
      envelope.enc_algo = this.options.encryptionAlgorithm ?? this.suite.encAlgos[0];
      envelope.sig_algo = this.options.signingAlgorithm ?? this.suite.sigAlgos[0];
    }
    const reply = await this.client.request(envelope, this.withTimeout(options));
    const blob = bytesField(reply);
    if (!blob) {
      throw new AuthError(ErrorCodes.AUTHENTICATION, `the master could not process the request (${describe(reply)})`);
    }
    return crypticle.loads(blob, { nonce });
  }
}

function describe(reply: unknown): string {
  if (typeof reply === 'string') return JSON.stringify(reply.slice(0, 80));
  return reply === null ? 'null' : typeof reply;
}
