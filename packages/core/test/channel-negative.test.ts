/**
 * Negative cases of the request and publish channels: replays, downgrades, clear commands,
 * hostile or mismatched ids, borrowed tokens, wrong keys, unknown commands, expired requests,
 * replayed or forged publishes. Each asserts the typed error (ReqServerChannel `onError`,
 * PubChannel `dropped`) and that a good request still succeeds afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, dumps, loads, silentLogger, type BrineError, type ErrorCode } from '@brine/contracts';
import type { PublishServer } from '@brine/contracts';
import {
  Crypticle,
  MinionKeys,
  PubChannel,
  ReqChannel,
  PubServerChannel,
  type Dict,
  type KeyPairText,
} from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { loadVector } from '../../../test/helpers/vectors.js';
import {
  createMaster,
  createMinion,
  directSender,
  loopbackClient,
  overTheWire,
  storeWith,
  vectorPair,
  type MasterFixture,
  type MinionFixture,
} from './helpers/auth-fixtures.js';
import { startNetwork, tcp, type Network } from './helpers/network.js';

const suite = createNodeSaltSuite();
const minion1 = vectorPair('minion');
const pairKeys = loadVector<{ keys: { minion_pem: string; minion_pub: string } }>('auth_pair_zeromq.json').keys;
const minion2: KeyPairText = { privatePem: pairKeys.minion_pem, publicPem: pairKeys.minion_pub };
const impostor = vectorPair('master_sign');

let nonceCounter = 0;
const freshNonce = (): string => (++nonceCounter).toString(16).padStart(32, '0');
const now = (): number => Math.floor(Date.now() / 1000);

async function tokOf(keys: KeyPairText): Promise<Uint8Array> {
  return (await MinionKeys.load(await storeWith('minion', keys), suite)).token();
}

interface V3Options {
  /** Envelope id; defaults to the load's id. `null` leaves it out. */
  envelopeId?: unknown;
  /** The session key to encrypt with; defaults to the master's key for the envelope id. */
  key?: string;
  tok?: Uint8Array | null;
  nonce?: string;
  ts?: unknown;
}

/** A v3 request the way Salt 3008's `_package_load` builds one. */
function v3Request(
  master: MasterFixture,
  load: Dict,
  tok: Uint8Array,
  options: V3Options = {},
): { envelope: Dict; nonce: string } {
  const nonce = options.nonce ?? freshNonce();
  const body: Dict = { ...load, nonce, ts: 'ts' in options ? options.ts : now() };
  const t = options.tok === undefined ? tok : options.tok;
  if (t !== null) body.tok = t;
  const envelopeId = options.envelopeId === undefined ? load.id : options.envelopeId;
  const key = options.key ?? master.sessions.keyFor(String(envelopeId));
  const envelope: Dict = { enc: 'aes', load: Crypticle.fromKey(suite, key).dumps(body), version: 3 };
  if (envelopeId !== null) envelope.id = envelopeId;
  envelope.enc_algo = 'OAEP-SHA1';
  envelope.sig_algo = 'PKCS1v15-SHA1';
  return { envelope, nonce };
}

/** Decrypts an encrypted reply for `id` (session key) and checks its nonce. */
function openReply(master: MasterFixture, id: string, reply: unknown, nonce: string): unknown {
  if (!(reply instanceof Uint8Array)) throw new Error(`not an encrypted reply: ${JSON.stringify(reply)}`);
  return Crypticle.fromKey(suite, master.sessions.keyFor(id)).loads(reply, { nonce });
}

const codes = (errors: BrineError[]): ErrorCode[] => errors.map((e) => e.code);

describe('ReqServerChannel (direct)', () => {
  let master: MasterFixture;
  let tok1: Uint8Array;
  let tok2: Uint8Array;

  beforeEach(async () => {
    master = await createMaster({ suite });
    await master.store.putMinionKey('accepted', 'minion1', minion1.publicPem);
    await master.store.putMinionKey('accepted', 'minion2', minion2.publicPem);
    tok1 = await tokOf(minion1);
    tok2 = await tokOf(minion2);
  });

  /** A genuine request from minion1 still works (the master kept serving). */
  async function stillServes(): Promise<void> {
    const before = master.returns.length;
    const { envelope, nonce } = v3Request(master, { cmd: '_return', id: 'minion1', jid: 'ok' }, tok1);
    expect(openReply(master, 'minion1', await master.handle(overTheWire(envelope)), nonce)).toBe(true);
    expect(master.returns).toHaveLength(before + 1);
  }

  it('a genuine v3 request is served (the baseline)', async () => {
    await stillServes();
    expect(master.errors).toEqual([]);
    expect(master.returns).toEqual([{ cmd: '_return', id: 'minion1', jid: 'ok', ts: expect.any(Number) }]);
  });

  it('a replayed request nonce: ERR_REPLAY, "bad load", the command does not run twice', async () => {
    const { envelope, nonce } = v3Request(master, { cmd: '_return', id: 'minion1', jid: '1' }, tok1);
    const wire = dumps(envelope);
    expect(openReply(master, 'minion1', await master.handle(loads(wire)), nonce)).toBe(true);
    expect(await master.handle(loads(wire))).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.REPLAY]);
    expect(master.returns).toHaveLength(1);
    // The nonce is per minion: minion2 may use the same one.
    const other = v3Request(master, { cmd: '_return', id: 'minion2', jid: '1' }, tok2, { nonce });
    expect(openReply(master, 'minion2', await master.handle(overTheWire(other.envelope)), nonce)).toBe(true);
    await stillServes();
  });

  it('v2 requests to a master with minimumAuthVersion 3: ERR_VERSION_TOO_OLD, "bad load", nothing stored', async () => {
    const auth = { enc: 'clear', load: { cmd: '_auth', id: 'minion3', nonce: freshNonce(), pub: minion1.publicPem } };
    const aes = {
      enc: 'aes',
      load: master.shared.crypticle.dumps({ cmd: '_return', id: 'minion1', nonce: freshNonce(), tok: tok1 }),
    };
    for (const message of [{ ...auth, version: 2 }, { ...aes, version: 2 }, auth, { ...aes, version: 1 }]) {
      expect(await master.handle(overTheWire(message))).toBe('bad load');
    }
    expect(codes(master.errors)).toEqual(Array(4).fill(ErrorCodes.VERSION_TOO_OLD));
    expect(await master.store.listMinionKeys('pending')).toEqual([]);
    expect(master.returns).toEqual([]);
    expect(master.events).toEqual([]);
    await stillServes();

    // The same v2 request is served by a master that allows v2: the refusal above was the version check.
    const legacy = await createMaster({ suite, channel: { minimumAuthVersion: 2 } });
    await legacy.store.putMinionKey('accepted', 'minion1', minion1.publicPem);
    const nonce = freshNonce();
    const reply = await legacy.handle(
      overTheWire({
        enc: 'aes',
        load: legacy.shared.crypticle.dumps({ cmd: '_return', id: 'minion1', nonce, tok: tok1 }),
        version: 2,
      }),
    );
    expect(legacy.shared.crypticle.loads(reply as Uint8Array, { nonce })).toBe(true);
    expect(legacy.errors).toEqual([]);
  });

  it.each([
    ['publish', { cmd: 'publish', tgt: '*', fun: 'cmd.run', arg: ['id'], key: 'x' }],
    ['_return', { cmd: '_return', id: 'minion1', jid: '1' }],
    ['_prep_auth_info', { cmd: '_prep_auth_info' }],
    ['_send_pub', { cmd: '_send_pub', fun: 'cmd.run' }],
    ['wheel', { cmd: 'wheel', fun: 'key.accept' }],
    ['_AUTH (case matters)', { cmd: '_AUTH', id: 'minion1', nonce: 'a'.repeat(32), pub: minion1.publicPem }],
    ['no cmd', { id: 'minion1' }],
    ['a list', ['_auth']],
    ['a string', '_auth'],
    ['bytes', new Uint8Array([0xde, 0xad, 0xbe, 0xef])],
  ])('a clear request that is not _auth (%s): ERR_CLEAR_FORBIDDEN, "bad load"', async (_, load) => {
    expect(await master.handle(overTheWire({ enc: 'clear', load, version: 3 }))).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.CLEAR_FORBIDDEN]);
    expect(master.returns).toEqual([]);
    expect(await master.store.listMinionKeys('pending')).toEqual([]);
    await stillServes();
  });

  it.each([
    ['../x', '../x'],
    ['minion/../../foo', 'minion/../../foo'],
    ['empty', ''],
    ['NUL', 'a\u0000b'],
    ['300 chars', 'm'.repeat(300)],
    ['a number', 42],
    ['missing', null],
  ])('a hostile envelope id in a v3 request (%s): ERR_INVALID_MINION_ID, "bad load"', async (_, envelopeId) => {
    const { envelope } = v3Request(master, { cmd: '_return', id: 'minion1' }, tok1, {
      envelopeId,
      key: master.sessions.keyFor('minion1'),
    });
    expect(await master.handle(overTheWire(envelope))).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.INVALID_MINION_ID]);
    expect(master.returns).toEqual([]);
    await stillServes();
  });

  it.each([
    ['another minion', 'minion2'],
    ['a hostile id', '../x'],
    ['a null byte', 'minion1\u0000'],
    ['no id', undefined],
  ])('a load id that differs from the envelope id (%s): ERR_AUTHENTICATION, "bad load"', async (_, id) => {
    const load: Dict = { cmd: '_return', jid: '1' };
    if (id !== undefined) load.id = id;
    const { envelope } = v3Request(master, load, tok1, { envelopeId: 'minion1' });
    expect(await master.handle(overTheWire(envelope))).toMatch(/^bad load/);
    expect([ErrorCodes.AUTHENTICATION, ErrorCodes.INVALID_MINION_ID]).toContain(master.errors[0]?.code);
    expect(master.errors).toHaveLength(1);
    expect(master.returns).toEqual([]);
    await stillServes();
  });

  it('minion1’s valid tok used with id minion2: ERR_TOKEN_INVALID (v3 and v2)', async () => {
    const { envelope } = v3Request(master, { cmd: '_return', id: 'minion2', jid: '1' }, tok1);
    expect(await master.handle(overTheWire(envelope))).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.TOKEN_INVALID]);

    // v2: every minion knows the shared key, so only the tok binds a request to its sender (CVE-2024-38822).
    const legacy = await createMaster({ suite, channel: { minimumAuthVersion: 2 } });
    await legacy.store.putMinionKey('accepted', 'minion1', minion1.publicPem);
    await legacy.store.putMinionKey('accepted', 'minion2', minion2.publicPem);
    const forged = { cmd: '_return', id: 'minion2', jid: '1', nonce: freshNonce(), tok: tok1 };
    expect(
      await legacy.handle(overTheWire({ enc: 'aes', load: legacy.shared.crypticle.dumps(forged), version: 2 })),
    ).toBe('bad load');
    expect(codes(legacy.errors)).toEqual([ErrorCodes.TOKEN_INVALID]);
    expect(legacy.returns).toEqual([]);

    // Each minion with its own tok is served.
    const own = v3Request(master, { cmd: '_return', id: 'minion2', jid: '2' }, tok2);
    expect(openReply(master, 'minion2', await master.handle(overTheWire(own.envelope)), own.nonce)).toBe(true);
    await stillServes();
    expect(master.errors).toHaveLength(1);
  });

  it.each([
    ['missing', null],
    ['garbage bytes', new Uint8Array(256).fill(0x41)],
    ['too short', new Uint8Array([1, 2, 3])],
    ['a number', 7],
  ])('a v3 request without a valid tok (%s): ERR_TOKEN_INVALID', async (_, tok) => {
    const { envelope } = v3Request(master, { cmd: '_return', id: 'minion1' }, tok1, { tok: tok as Uint8Array | null });
    expect(await master.handle(overTheWire(envelope))).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.TOKEN_INVALID]);
    await stillServes();
  });

  it('a request encrypted with a wrong session key: ERR_AUTHENTICATION, "bad load"', async () => {
    const { envelope } = v3Request(master, { cmd: '_return', id: 'minion1' }, tok1, {
      key: suite.generateSessionKey(),
    });
    expect(await master.handle(overTheWire(envelope))).toBe('bad load');
    // And a minion that never signed in has no session at all.
    const { envelope: noSession } = v3Request(master, { cmd: '_return', id: 'minion3' }, tok1, {
      key: suite.generateSessionKey(),
    });
    master.sessions.drop('minion3');
    expect(await master.handle(overTheWire(noSession))).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.AUTHENTICATION, ErrorCodes.AUTHENTICATION]);
    await stillServes();
  });

  it.each([
    ['_nope', '_nope'],
    ['constructor', 'constructor'],
    ['__proto__', '__proto__'],
    ['toString', 'toString'],
    ['hasOwnProperty', 'hasOwnProperty'],
    ['a number', 42],
    ['missing', undefined],
  ])('an unknown encrypted command (%s): ERR_UNKNOWN_COMMAND and an encrypted {}', async (_, cmd) => {
    const load: Dict = { id: 'minion1' };
    if (cmd !== undefined) load.cmd = cmd;
    const { envelope, nonce } = v3Request(master, load, tok1);
    expect(openReply(master, 'minion1', await master.handle(overTheWire(envelope)), nonce)).toEqual({});
    expect(codes(master.errors)).toEqual([ErrorCodes.UNKNOWN_COMMAND]);
    expect(master.returns).toEqual([]);
    await stillServes();
  });

  it('authenticates the transport connection after an accepted _auth or a verified request, never otherwise', async () => {
    let authenticated = 0;
    const context = {
      peer: { id: 'bounds-peer', transport: 'test' },
      signal: new AbortController().signal,
      authenticate: () => void authenticated++,
    };
    const handleIn = (message: unknown): Promise<unknown> =>
      master.channel.handle(overTheWire(message), context) as Promise<unknown>;
    // Refused requests: a clear command other than _auth, a replay, a wrong session key.
    expect(await handleIn({ enc: 'clear', load: { cmd: '_return', id: 'minion1' }, version: 3 })).toBe('bad load');
    const { envelope, nonce } = v3Request(master, { cmd: '_return', id: 'minion1', jid: 'b1' }, tok1);
    const wire = dumps(envelope);
    expect(openReply(master, 'minion1', await handleIn(loads(wire)), nonce)).toBe(true);
    expect(authenticated).toBe(1); // the verified request
    expect(await handleIn(loads(wire))).toBe('bad load'); // replayed
    const wrong = v3Request(master, { cmd: '_return', id: 'minion1', jid: 'b2' }, tok1, {
      key: suite.generateSessionKey(),
    });
    expect(await handleIn(wrong.envelope)).toBe('bad load');
    expect(authenticated).toBe(1);
    // An accepted _auth.
    const node = await createMinion({ suite, send: async (env) => overTheWire(await handleIn(env)) });
    await node.auth.authenticate();
    expect(authenticated).toBe(2);
    node.auth.close();
  });

  it('an unknown command through ReqChannel resolves with {} (no retry, no re-auth)', async () => {
    const node = await createMinion({ suite, send: directSender(master) });
    let requests = 0;
    const client = loopbackClient(async (message) => {
      requests++;
      return overTheWire(await master.handle(overTheWire(message)));
    });
    const channel = new ReqChannel(
      { client: client, auth: node.auth, keys: node.keys, suite, logger: silentLogger },
      { id: 'minion1' },
    );
    expect(await channel.send({ cmd: '_nope' })).toEqual({});
    expect(requests).toBe(1);
    expect(codes(master.errors)).toEqual([ErrorCodes.UNKNOWN_COMMAND]);
    expect(await channel.send({ cmd: '_return', jid: '9' })).toBe(true);
    expect(node.states.filter((t) => t.to === 'authenticated')).toHaveLength(1);
    node.auth.close();
  });

  it('an expired or timeless request with request_server_ttl: ERR_REQUEST_EXPIRED', async () => {
    const strict = await createMaster({ suite, channel: { requestServerTtl: 300 } });
    await strict.store.putMinionKey('accepted', 'minion1', minion1.publicPem);
    for (const ts of [now() - 3600, 'yesterday', undefined]) {
      const { envelope } = v3Request(strict, { cmd: '_return', id: 'minion1' }, tok1, { ts });
      expect(await strict.handle(overTheWire(envelope))).toBe('bad load');
    }
    expect(codes(strict.errors)).toEqual(Array(3).fill(ErrorCodes.REQUEST_EXPIRED));
    const { envelope, nonce } = v3Request(strict, { cmd: '_return', id: 'minion1' }, tok1);
    expect(openReply(strict, 'minion1', await strict.handle(overTheWire(envelope)), nonce)).toBe(true);
  });

  it('with token_recheck_interval 0, a minion whose key was removed from the store is refused at once', async () => {
    master = await createMaster({ suite, tokenRecheckMs: 0 });
    await master.store.putMinionKey('accepted', 'minion1', minion1.publicPem);
    await stillServes();
    // salt-key -d from another process: the store changes, the master gets no call.
    await master.store.removeMinionKey('accepted', 'minion1');
    const { envelope } = v3Request(master, { cmd: '_return', id: 'minion1' }, tok1);
    expect(await master.handle(overTheWire(envelope))).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.TOKEN_INVALID]);
    // Re-accepted under another key, the old tok is still refused; the new key's tok works.
    await master.store.putMinionKey('accepted', 'minion1', minion2.publicPem);
    const again = v3Request(master, { cmd: '_return', id: 'minion1' }, tok1);
    expect(await master.handle(overTheWire(again.envelope))).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.TOKEN_INVALID, ErrorCodes.TOKEN_INVALID]);
    const fresh = v3Request(master, { cmd: '_return', id: 'minion1' }, tok2);
    expect(openReply(master, 'minion1', await master.handle(overTheWire(fresh.envelope)), fresh.nonce)).toBe(true);
  });
});

describe('over loopback TCP', () => {
  let master: MasterFixture;
  let network: Network;
  let node: MinionFixture;

  beforeEach(async () => {
    master = await createMaster({ suite, auth: { autoAccept: true } });
    network = await startNetwork(master);
    const client = await network.client();
    node = await createMinion({ suite, send: (envelope, options) => client.request(envelope, options) });
  });

  afterEach(async () => {
    node.auth.close();
    await network.close();
  });

  it('a replayed request: the exact envelope resent through a raw RequestClient is ERR_REPLAY', async () => {
    const client = await network.client();
    const sent: unknown[] = [];
    const recording = loopbackClient((message) => {
      sent.push(message);
      return client.request(message, { timeout: 10_000 });
    });
    const channel = new ReqChannel(
      { client: recording, auth: node.auth, keys: node.keys, suite, logger: silentLogger },
      { id: 'minion1' },
    );
    expect(await channel.send({ cmd: '_return', jid: '1', return: 'pong' })).toBe(true);
    expect(sent).toHaveLength(1);

    const raw = await network.client();
    expect(await raw.request(sent[0], { timeout: 10_000 })).toBe('bad load');
    expect(codes(master.errors)).toEqual([ErrorCodes.REPLAY]);
    expect(master.returns).toHaveLength(1);

    expect(await channel.send({ cmd: '_return', jid: '2', return: 'pong' })).toBe(true);
    expect(master.returns.map((r) => r.jid)).toEqual(['1', '2']);
    expect(master.errors).toHaveLength(1);
  });

  it('a wrong session key: ERR_AUTHENTICATION, and ReqChannel re-authenticates once and succeeds', async () => {
    const client = await network.client();
    const channel = new ReqChannel(
      { client: client, auth: node.auth, keys: node.keys, suite, logger: silentLogger },
      { id: 'minion1' },
    );
    expect(await channel.send({ cmd: '_return', jid: '1' })).toBe(true);
    const stale = node.auth.creds!.session;
    // The master forgets minion1's session and issues a new one: the minion now holds a wrong key.
    master.sessions.drop('minion1');
    const current = master.sessions.keyFor('minion1');
    expect(current).not.toBe(stale);

    expect(await channel.send({ cmd: '_return', jid: '2' })).toBe(true);
    expect(codes(master.errors)).toEqual([ErrorCodes.AUTHENTICATION]);
    expect(node.states.filter((t) => t.to === 'authenticated')).toHaveLength(2);
    expect(node.auth.creds!.session).toBe(current);
    expect(master.returns.map((r) => r.jid)).toEqual(['1', '2']);
  });

  it('a replayed publish: the same bytes delivered twice, the second dropped with ERR_REPLAY', async () => {
    await node.auth.authenticate();
    const dropped: BrineError[] = [];
    const pubChannel = new PubChannel(
      { client: tcp.publishClient(), auth: node.auth, keys: node.keys, suite, store: node.store, logger: silentLogger },
      { id: 'minion1', signPubMessages: true },
    );
    network.track(pubChannel);
    pubChannel.events.on('dropped', (e) => dropped.push(e));
    const present = network.pubServer.events.once('presence');
    await pubChannel.connect(network.pubAddress, { timeout: 10_000 });
    expect((await present)[1]).toBe('minion1');
    const jobs = pubChannel[Symbol.asyncIterator]();

    await network.pub.publish({ fun: 'test.ping', jid: '1', tgt: 'minion1', arg: [] });
    expect((await jobs.next()).value).toEqual({ fun: 'test.ping', jid: '1', tgt: 'minion1', arg: [] });
    // The reader pulls the next job; the replayed bytes reach it first and are dropped.
    const next = jobs.next();
    const replayedDrop = pubChannel.events.once('dropped');
    await network.pubServer.publish(network.published[0]!);
    expect((await replayedDrop)[0].code).toBe(ErrorCodes.REPLAY);
    // The stream goes on: the next genuine job arrives and the replay never surfaced.
    await network.pub.publish({ fun: 'test.echo', jid: '2', tgt: 'minion1', arg: ['x'] });
    expect((await next).value).toMatchObject({ jid: '2' });
    expect(codes(dropped)).toEqual([ErrorCodes.REPLAY]);

    // decode() directly: same verdicts.
    await network.pub.publish({ fun: 'test.ping', jid: '3' });
    expect((await jobs.next()).value).toMatchObject({ jid: '3' });
    expect(await pubChannel.decode(network.published[2]!)).toBeUndefined();
    expect(codes(dropped)).toEqual([ErrorCodes.REPLAY, ErrorCodes.REPLAY]);
  });
});

describe('PubChannel.decode drops forged and malformed publishes', () => {
  let master: MasterFixture;
  let node: MinionFixture;
  let channel: PubChannel;
  let dropped: BrineError[];
  const published: Uint8Array[] = [];

  beforeEach(async () => {
    master = await createMaster({ suite, auth: { autoAccept: true } });
    node = await createMinion({ suite, send: directSender(master) });
    await node.auth.authenticate();
    const client = tcp.publishClient();
    channel = new PubChannel(
      { client: client, auth: node.auth, keys: node.keys, suite, store: node.store, logger: silentLogger },
      { id: 'minion1', signPubMessages: true },
    );
    dropped = [];
    channel.events.on('dropped', (e) => dropped.push(e));
  });

  afterEach(async () => {
    node.auth.close();
    await channel.close();
  });

  /** What PubServerChannel puts on the wire for `load` (the next serial, signed). */
  async function publishBytes(load: Dict): Promise<Uint8Array> {
    const capture = {
      publish: async (payload: Uint8Array) => void published.push(payload),
    } as unknown as PublishServer;
    await new PubServerChannel({
      transport: capture,
      suite,
      masterKeys: master.masterKeys,
      shared: master.shared,
      tokens: master.tokens,
      logger: silentLogger,
    }).publish(load);
    return published.at(-1)!;
  }

  it.each([
    ['a corrupted signature', (p: Dict) => ({ ...p, sig: flipped(p.sig) }), ErrorCodes.BAD_SIGNATURE],
    ['no signature', (p: Dict) => ({ enc: p.enc, load: p.load }), ErrorCodes.BAD_SIGNATURE],
    ['signed by another key', (p: Dict) => ({ ...p, sig: impostorSig(p.load) }), ErrorCodes.BAD_SIGNATURE],
    ['a clear publish', (p: Dict) => ({ enc: 'clear', load: { fun: 'cmd.run' }, sig: p.sig }), ErrorCodes.BAD_LOAD],
  ] as const)('%s', async (_, edit, code) => {
    const good = loads(await publishBytes({ fun: 'test.ping', jid: '1' })) as Dict;
    const forged = dumps(await edit(good));
    expect(await channel.decode(forged)).toBeUndefined();
    expect(codes(dropped)).toEqual([code]);
    // The genuine publish still decodes (its serial was not consumed by the forgery).
    expect(await channel.decode(dumps(good))).toEqual({ fun: 'test.ping', jid: '1' });
  });

  it.each([
    ['unsigned', undefined],
    ['self-signed', 'impostor'],
  ] as const)(
    'a %s forgery with serial 2^52 under the default options is dropped and never moves the serial',
    async (_, signer) => {
      // The default channel (no signPubMessages given) requires signatures, as the minion config does.
      const byDefault = new PubChannel(
        {
          client: tcp.publishClient(),
          auth: node.auth,
          keys: node.keys,
          suite,
          store: node.store,
          logger: silentLogger,
        },
        { id: 'minion1' },
      );
      const mine: BrineError[] = [];
      byDefault.events.on('dropped', (e) => mine.push(e));
      // Anyone holding the shared AES key (every accepted minion) can build this.
      const blob = node.auth.creds!.crypticle.dumps({ fun: 'cmd.run', jid: 'forged', tgt: '*', serial: 2 ** 52 });
      const forged: Dict = { enc: 'aes', load: blob };
      if (signer) forged.sig = await impostorSig(blob);
      expect(await byDefault.decode(dumps(forged))).toBeUndefined();
      expect(codes(mine)).toEqual([ErrorCodes.BAD_SIGNATURE]);
      expect(node.auth.creds!.crypticle.serial).toBe(0);
      // The next genuine publish (serial 1) still runs.
      expect(await byDefault.decode(await publishBytes({ fun: 'test.ping', jid: 'real' }))).toEqual({
        fun: 'test.ping',
        jid: 'real',
      });
      // Opting out (sign_pub_messages: false) still verifies a signature that is present.
      const optOut = new PubChannel(
        {
          client: tcp.publishClient(),
          auth: node.auth,
          keys: node.keys,
          suite,
          store: node.store,
          logger: silentLogger,
        },
        { id: 'minion1', signPubMessages: false },
      );
      const blob2 = node.auth.creds!.crypticle.dumps({ fun: 'cmd.run', jid: 'forged2', serial: 2 ** 52 });
      expect(await optOut.decode(dumps({ enc: 'aes', load: blob2, sig: await impostorSig(blob2) }))).toBeUndefined();
      expect(node.auth.creds!.crypticle.serial).not.toBe(2 ** 52);
      await Promise.all([byDefault.close(), optOut.close()]);
    },
  );

  it.each([
    ['not msgpack', new Uint8Array([0xc1])],
    ['a string', dumps('hello')],
    ['load not bytes', dumps({ enc: 'aes', load: { fun: 'x' } })],
    ['random ciphertext', dumps({ enc: 'aes', load: new Uint8Array(96).fill(9) })],
  ])('malformed: %s', async (_, wire) => {
    const channelNoSig = new PubChannel(
      { client: tcp.publishClient(), auth: node.auth, keys: node.keys, suite, store: node.store, logger: silentLogger },
      { id: 'minion1', signPubMessages: false },
    );
    const mine: BrineError[] = [];
    channelNoSig.events.on('dropped', (e) => mine.push(e));
    expect(await channelNoSig.decode(wire)).toBeUndefined();
    expect(mine).toHaveLength(1);
    expect([ErrorCodes.BAD_LOAD, ErrorCodes.DECODE, ErrorCodes.AUTHENTICATION]).toContain(mine[0]!.code);
    expect(await channelNoSig.decode(await publishBytes({ fun: 'test.ping', jid: 'ok' }))).toEqual({
      fun: 'test.ping',
      jid: 'ok',
    });
    await channelNoSig.close();
  });
});

function flipped(value: unknown): Uint8Array {
  const out = (value as Uint8Array).slice();
  out[0]! ^= 0x80;
  return out;
}

async function impostorSig(load: unknown): Promise<Uint8Array> {
  return suite.sign(suite.importPrivateKey(impostor.privatePem), load as Uint8Array);
}
