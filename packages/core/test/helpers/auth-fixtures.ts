/**
 * Shared fixtures for the auth/channel tests: a Brine master (AuthServer + ReqServerChannel on a
 * MemoryKeyStore) and a Brine minion (MinionKeys + AsyncAuth), wired either directly (an in-memory
 * "wire" that round-trips every message through Salt's msgpack, as a transport would) or over
 * loopback TCP. Keys come from the vectors, so no test generates RSA keys.
 */
import type { BrineError } from '@brine/contracts';
import {
  isBrineError,
  dumps,
  loads,
  silentLogger,
  type CryptoSuite,
  type Logger,
  type RequestClient,
  type RequestContext,
  TypedEmitter,
  type ClientEvents,
} from '@brine/contracts';
import {
  AsyncAuth,
  AuthServer,
  KEY_STATE_DIRS,
  MasterKeys,
  MemoryKeyStore,
  MinionKeys,
  ReplayGuard,
  ReqServerChannel,
  SessionKeys,
  SharedKey,
  TokenVerifier,
  type AsyncAuthOptions,
  type AuthEvent,
  type AuthServerOptions,
  type AuthTransition,
  type ClearSender,
  type CommandHandler,
  type Dict,
  type KeyPairText,
  type KeyState,
  type ReqServerChannelOptions,
} from '@brine/core';
import { vectorKey } from '../../../../test/helpers/vectors.js';

/** A key pair from test/vectors/salt/keys (`master`, `minion`, `master_sign`). */
export function vectorPair(name: 'master' | 'minion' | 'master_sign'): KeyPairText {
  return { privatePem: vectorKey(`${name}.pem`), publicPem: vectorKey(`${name}.pub`) };
}

/** A MemoryKeyStore holding `pair` as `<name>.pem/.pub`. */
export async function storeWith(name: 'master' | 'minion', pair: KeyPairText): Promise<MemoryKeyStore> {
  const store = new MemoryKeyStore();
  await store.ensureKeyPair(name, async () => pair);
  return store;
}

export const testContext = (): RequestContext => ({
  peer: { id: 'test-peer', transport: 'test' },
  signal: new AbortController().signal,
});

/** What a transport does to a message: Salt's msgpack there and back (valid UTF-8 bytes come back as str). */
export const overTheWire = <T>(value: T): unknown => loads(dumps(value));

/**
 * A random source for the forge suite that hands out the given OAEP seeds (20-byte requests) in
 * order, and deterministic filler for every other request (IVs, nonces, session keys).
 */
export function seededRandom(seeds: readonly Uint8Array[] = []): (length: number) => Uint8Array {
  const queue = [...seeds];
  let counter = 1;
  return (length) => {
    if (length === 20 && queue.length > 0) return queue.shift()!;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = (counter * 131 + i * 7) & 0xff;
    counter++;
    return out;
  };
}

export interface MasterFixture {
  suite: CryptoSuite;
  store: MemoryKeyStore;
  masterKeys: MasterKeys;
  shared: SharedKey;
  sessions: SessionKeys;
  tokens: TokenVerifier;
  replay: ReplayGuard;
  authServer: AuthServer;
  channel: ReqServerChannel;
  /** `salt/auth` events, in order. */
  events: AuthEvent[];
  /** Everything the channel reported through `onError`, in order. */
  errors: BrineError[];
  /** Loads the transport would hand the channel, and what the channel replied. */
  handle(message: unknown): Promise<unknown>;
  /** Command loads the `_return` handler saw. */
  returns: Dict[];
}

export interface MasterFixtureOptions {
  suite: CryptoSuite;
  keys?: KeyPairText;
  aesKey?: string;
  auth?: Partial<AuthServerOptions>;
  channel?: ReqServerChannelOptions;
  /** TokenVerifier `recheckMs` (its default when absent). */
  tokenRecheckMs?: number;
  commands?: ReadonlyMap<string, CommandHandler>;
  logger?: Logger;
  /** Sign the master public key with master_sign.pem (Salt's `master_sign_pubkey`). */
  masterSign?: boolean;
}

export async function createMaster(options: MasterFixtureOptions): Promise<MasterFixture> {
  const { suite } = options;
  const logger = options.logger ?? silentLogger;
  const store = await storeWith('master', options.keys ?? vectorPair('master'));
  if (options.masterSign) await store.ensureKeyPair('master_sign', async () => vectorPair('master_sign'));
  const masterKeys = await MasterKeys.load(store, suite, { signPubkey: options.masterSign === true });
  const shared = new SharedKey(suite, masterKeys, options.aesKey);
  const sessions = new SessionKeys(suite);
  const tokens = new TokenVerifier(
    suite,
    store,
    options.tokenRecheckMs === undefined ? {} : { recheckMs: options.tokenRecheckMs },
  );
  const replay = new ReplayGuard(300_000);
  const events: AuthEvent[] = [];
  const errors: BrineError[] = [];
  const returns: Dict[] = [];
  const authServer = new AuthServer(
    { suite, store, masterKeys, shared, sessions, logger, onEvent: (event) => events.push(event) },
    { publishPort: 4505, ...options.auth },
  );
  const commands =
    options.commands ??
    new Map<string, CommandHandler>([
      [
        '_return',
        (load) => {
          returns.push(load);
          return true;
        },
      ],
    ]);
  const channel = new ReqServerChannel(
    {
      suite,
      store,
      masterKeys,
      shared,
      sessions,
      authServer,
      tokens,
      replay,
      logger,
      commands,
      onError: (error) => errors.push(error),
    },
    options.channel,
  );
  const handle = (message: unknown): Promise<unknown> => channel.handle(message, testContext()) as Promise<unknown>;
  return {
    suite,
    store,
    masterKeys,
    shared,
    sessions,
    tokens,
    replay,
    authServer,
    channel,
    events,
    errors,
    handle,
    returns,
  };
}

export interface MinionFixture {
  store: MemoryKeyStore;
  keys: MinionKeys;
  auth: AsyncAuth;
  /** AsyncAuth state transitions, in order. */
  states: AuthTransition[];
}

export interface MinionFixtureOptions {
  suite: CryptoSuite;
  send: ClearSender;
  id?: string;
  keys?: KeyPairText;
  pinnedMasterPem?: string;
  auth?: Partial<AsyncAuthOptions>;
  logger?: Logger;
}

export async function createMinion(options: MinionFixtureOptions): Promise<MinionFixture> {
  const { suite } = options;
  const logger = options.logger ?? silentLogger;
  const store = await storeWith('minion', options.keys ?? vectorPair('minion'));
  if (options.pinnedMasterPem !== undefined) await store.writeFile('minion_master.pub', options.pinnedMasterPem);
  const keys = await MinionKeys.load(store, suite);
  const id = options.id ?? 'minion1';
  const auth = new AsyncAuth(
    { suite, store, keys, send: options.send, logger },
    { id, masterUri: 'tcp://127.0.0.1:4506', acceptanceWaitTime: 0.01, ...options.auth },
  );
  const states: AuthTransition[] = [];
  auth.events.on('state', (t) => states.push(t));
  return { store, keys, auth, states };
}

/** A ClearSender that hands the envelope to `master` through the in-memory wire. */
export function directSender(master: Pick<MasterFixture, 'handle'>): ClearSender {
  return async (envelope) => overTheWire(await master.handle(overTheWire(envelope)));
}

/** Calls `fn` and returns the BrineError it rejected with; fails when it did not reject with one. */
export async function rejection(promise: Promise<unknown>): Promise<BrineError> {
  try {
    await promise;
  } catch (error) {
    if (isBrineError(error)) return error;
    throw new Error(`rejected with a non-BrineError: ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection');
}

/** The files of a master or minion key store, named like the vectors' `files_after` (public files only). */
export async function storeFiles(store: MemoryKeyStore, side: 'master' | 'minion'): Promise<string[]> {
  const files: string[] = [];
  for (const name of ['master.pub', 'minion.pub', 'minion_master.pub']) {
    if ((await store.readFile(name)) !== undefined) files.push(`${side}/${name}`);
  }
  for (const [state, dir] of Object.entries(KEY_STATE_DIRS) as [KeyState, string][]) {
    for (const id of await store.listMinionKeys(state)) files.push(`${side}/${dir}/${id}`);
  }
  return files.sort();
}

/** A RequestClient that hands every request to `handler` (no transport, no encoding). */
export function loopbackClient(handler: (message: unknown) => Promise<unknown>): RequestClient {
  return {
    transport: 'loopback',
    events: new TypedEmitter<ClientEvents>(),
    connected: true,
    connect: async () => {},
    request: (message) => handler(message),
    close: async () => {},
    closed: new Promise<void>(() => {}),
  };
}
