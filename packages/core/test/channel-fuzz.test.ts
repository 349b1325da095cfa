/**
 * Garbage in every field of the request envelope, of the `_auth` load and of an encrypted load
 * (CVE-2023-20897, CVE-2017-14696): `ReqServerChannel.handle` never throws, always answers with a
 * Salt-shaped reply (a bare string, a clear-signed dict, an unsigned algorithm refusal, or an
 * encrypted blob where the field is one Salt ignores), reports every refusal through `onError`
 * with a typed BrineError code, stores nothing for a bad request, and keeps serving.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BrineError, ErrorCodes, bytes, dumps, loads, type ErrorCode } from '@brine/contracts';
import { Crypticle, MinionKeys, isDict, type Dict } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { createMaster, overTheWire, storeWith, vectorPair, type MasterFixture } from './helpers/auth-fixtures.js';

const suite = createNodeSaltSuite();
const minion = vectorPair('minion');
const master = vectorPair('master');
const ALL_CODES = new Set<string>(Object.values(ErrorCodes));
const junk = (n: number, seed = 1): Uint8Array => new Uint8Array(n).map((_, i) => (i * 37 + seed * 101 + 7) & 0xff);

let tok: Uint8Array;
beforeAll(async () => {
  tok = await (await MinionKeys.load(await storeWith('minion', minion), suite)).token();
});

let counter = 0;
const nonce = (): string => (++counter).toString(16).padStart(32, '0');

/** Marks a field to leave out. */
const ABSENT = Symbol('absent');

function patched(base: Dict, patch: Dict): Dict {
  for (const [k, v] of Object.entries(patch)) {
    if (v === ABSENT) delete base[k];
    else base[k] = v;
  }
  return base;
}

/** A valid `_auth` load for minion1 (accepted in the fixture) with `patch` applied. */
function authLoad(patch: Dict = {}): Dict {
  const load = {
    cmd: '_auth',
    id: 'minion1',
    nonce: nonce(),
    enc_algo: 'OAEP-SHA1',
    sig_algo: 'PKCS1v15-SHA1',
    pub: minion.publicPem,
  };
  return patched(load, patch);
}

const clear = (load: unknown, version: unknown = 3): Dict => ({ enc: 'clear', load, version });

/** A v3 encrypted request envelope for minion1; `plaintext` replaces the Crypticle framing when given. */
function aes(m: MasterFixture, load: Dict, envelope: Dict = {}, plaintext?: Uint8Array): Dict {
  const crypticle = Crypticle.fromKey(suite, m.sessions.keyFor('minion1'));
  const body = { cmd: '_return', id: 'minion1', nonce: nonce(), ts: Math.floor(Date.now() / 1000), tok, ...load };
  const blob = plaintext ? crypticle.cipher.encrypt(plaintext) : crypticle.dumps(body);
  const out = { enc: 'aes', load: blob, version: 3, id: 'minion1', enc_algo: 'OAEP-SHA1', sig_algo: 'PKCS1v15-SHA1' };
  return patched(out, envelope);
}

type Reply = 'bad load' | 'string' | 'signed false' | 'signed accept' | 'bad enc algo' | 'bad sig algo' | 'encrypted';

interface Row {
  name: string;
  message: (m: MasterFixture) => unknown;
  reply: Reply;
  /** The onError code, or null when the field is one Salt ignores and the request is served. */
  code: ErrorCode | null;
}

const rows: Row[] = [
  // the envelope itself
  ...([undefined, null, 0, 'x', junk(40), [], {}, { enc: 'clear' }, { load: {} }] as unknown[]).map(
    (message, i): Row => ({
      name: `envelope #${i}: ${JSON.stringify(message) ?? 'undefined'}`.slice(0, 60),
      message: () => message,
      reply: 'bad load',
      code: ErrorCodes.BAD_LOAD,
    }),
  ),
  // enc
  ...([1, null, 'AES', '', 'pub', junk(3), {}] as unknown[]).map((enc, i): Row => ({
    name: `enc #${i}`,
    message: () => ({ ...clear(authLoad()), enc }),
    reply: 'bad load',
    code: ErrorCodes.BAD_LOAD,
  })),
  // load, clear
  ...([junk(200), 1, null, [], 'x', true] as unknown[]).map((load, i): Row => ({
    name: `clear load #${i}`,
    message: () => clear(load),
    reply: 'bad load',
    code: ErrorCodes.CLEAR_FORBIDDEN,
  })),
  // load, aes
  {
    name: 'aes load: random bytes',
    message: (m) => aes(m, {}, { load: junk(96) }),
    reply: 'bad load',
    code: ErrorCodes.AUTHENTICATION,
  },
  {
    name: 'aes load: too short',
    message: (m) => aes(m, {}, { load: junk(5) }),
    reply: 'bad load',
    code: ErrorCodes.AUTHENTICATION,
  },
  {
    name: 'aes load: empty',
    message: (m) => aes(m, {}, { load: new Uint8Array() }),
    reply: 'bad load',
    code: ErrorCodes.AUTHENTICATION,
  },
  {
    name: 'aes load: a dict',
    message: (m) => aes(m, {}, { load: { cmd: '_return' } }),
    reply: 'bad load',
    code: ErrorCodes.BAD_LOAD,
  },
  { name: 'aes load: a number', message: (m) => aes(m, {}, { load: 5 }), reply: 'bad load', code: ErrorCodes.BAD_LOAD },
  { name: 'aes load: null', message: (m) => aes(m, {}, { load: null }), reply: 'bad load', code: ErrorCodes.BAD_LOAD },
  {
    name: 'aes plaintext without pickle::',
    message: (m) => aes(m, {}, {}, dumps({ cmd: '_return', id: 'minion1' })),
    reply: 'bad load',
    code: ErrorCodes.AUTHENTICATION,
  },
  {
    name: 'aes plaintext: a list',
    message: (m) => aes(m, {}, {}, bytes.concatBytes([bytes.utf8Encode('pickle::'), dumps([1, 2])])),
    reply: 'string',
    code: ErrorCodes.BAD_LOAD,
  },
  {
    name: 'aes plaintext: not msgpack',
    message: (m) => aes(m, {}, {}, bytes.concatBytes([bytes.utf8Encode('pickle::'), new Uint8Array([0xc1, 0xc1])])),
    reply: 'bad load',
    code: ErrorCodes.DECODE,
  },
  {
    name: 'aes load id: a number',
    message: (m) => aes(m, { id: 5 }),
    reply: 'string',
    code: ErrorCodes.INVALID_MINION_ID,
  },
  {
    name: 'aes load id: NUL',
    message: (m) => aes(m, { id: 'minion1\u0000' }),
    reply: 'string',
    code: ErrorCodes.INVALID_MINION_ID,
  },
  {
    name: 'aes load tok: a string',
    message: (m) => aes(m, { tok: 'salt' }),
    reply: 'bad load',
    code: ErrorCodes.TOKEN_INVALID,
  },
  {
    name: 'aes load tok: a dict',
    message: (m) => aes(m, { tok: {} }),
    reply: 'bad load',
    code: ErrorCodes.TOKEN_INVALID,
  },
  {
    name: 'aes load cmd: a list',
    message: (m) => aes(m, { cmd: ['_return'] }),
    reply: 'encrypted',
    code: ErrorCodes.UNKNOWN_COMMAND,
  },
  // Fields Salt ignores on an ordinary command: served.
  { name: 'aes load ts: a string (no ttl)', message: (m) => aes(m, { ts: 'now' }), reply: 'encrypted', code: null },
  {
    name: 'aes load nonce: a number (served, reply without nonce)',
    message: (m) => aes(m, { nonce: 5 }),
    reply: 'encrypted',
    code: null,
  },
  // version
  ...(['x', null, 2.5, -1, [], {}, 2, junk(4)] as unknown[]).map((version, i): Row => ({
    name: `version #${i}`,
    message: () => clear(authLoad(), version),
    reply: 'bad load',
    code: ErrorCodes.VERSION_TOO_OLD,
  })),
  { name: 'version "3" (Salt: int("3"))', message: () => clear(authLoad(), '3'), reply: 'signed accept', code: null },
  // envelope id / enc_algo / sig_algo on an encrypted request
  ...([1, null, '../x', '', junk(4), {}, ABSENT] as unknown[]).map((id, i): Row => ({
    name: `aes envelope id #${i}`,
    message: (m) => aes(m, {}, { id }),
    reply: 'bad load',
    code: ErrorCodes.INVALID_MINION_ID,
  })),
  ...([1, null, 'OAEP-MD5', junk(4)] as unknown[]).flatMap((algo, i): Row[] => [
    {
      name: `aes envelope enc_algo #${i} (ignored)`,
      message: (m) => aes(m, {}, { enc_algo: algo }),
      reply: 'encrypted',
      code: null,
    },
    {
      name: `aes envelope sig_algo #${i} (ignored)`,
      message: (m) => aes(m, {}, { sig_algo: algo }),
      reply: 'encrypted',
      code: null,
    },
  ]),
  // the _auth load
  ...(
    [
      1,
      null,
      [],
      {},
      new Uint8Array([0xff, 0xfe]),
      '',
      '../x',
      'minion/../../foo',
      'x'.repeat(300),
      'a\u0000b',
      'a\u001bb',
    ] as unknown[]
  ).map((id, i): Row => ({
    name: `_auth id #${i}`,
    message: () => clear(authLoad({ id })),
    reply: 'signed false',
    code: ErrorCodes.INVALID_MINION_ID,
  })),
  ...([ABSENT, 1, null, new Uint8Array([0xff, 0xfe]), {}, []] as unknown[]).map((n, i): Row => ({
    name: `_auth nonce #${i}`,
    message: () => clear(authLoad({ nonce: n })),
    reply: 'signed false',
    code: ErrorCodes.BAD_LOAD,
  })),
  ...([ABSENT, 1, null, '', '   ', {}, []] as unknown[]).map((pub, i): Row => ({
    name: `_auth pub #${i}`,
    message: () => clear(authLoad({ id: 'newbie', pub })),
    reply: 'signed false',
    code: ErrorCodes.BAD_LOAD,
  })),
  ...(['garbage', junk(300), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'] as unknown[]).map(
    (pub, i): Row => ({
      name: `_auth pub (corrupt key) #${i}`,
      message: () => clear(authLoad({ id: 'newbie', pub })),
      reply: 'signed false',
      code: ErrorCodes.KEY_FORMAT,
    }),
  ),
  ...(['x', junk(256), junk(3)] as unknown[]).map((token, i): Row => ({
    name: `_auth token (undecryptable) #${i}`,
    message: () => clear(authLoad({ token })),
    reply: 'signed accept',
    code: ErrorCodes.CRYPTO,
  })),
  ...([1, {}, [], true] as unknown[]).map((token, i): Row => ({
    name: `_auth token (not bytes) #${i}`,
    message: () => clear(authLoad({ token })),
    reply: 'signed accept',
    code: ErrorCodes.BAD_LOAD,
  })),
  ...([1, null, 'OAEP-MD5', '', junk(4), {}] as unknown[]).flatMap((algo, i): Row[] => [
    {
      name: `_auth enc_algo #${i}`,
      message: () => clear(authLoad({ enc_algo: algo })),
      reply: 'bad enc algo',
      code: ErrorCodes.UNSUPPORTED_SUITE,
    },
    {
      name: `_auth sig_algo #${i}`,
      message: () => clear(authLoad({ sig_algo: algo })),
      reply: 'bad sig algo',
      code: ErrorCodes.UNSUPPORTED_SUITE,
    },
  ]),
  ...(['_auth\u0000', '_Auth', 1, null, junk(5)] as unknown[]).map((cmd, i): Row => ({
    name: `_auth cmd #${i}`,
    message: () => clear(authLoad({ cmd })),
    reply: 'bad load',
    code: ErrorCodes.CLEAR_FORBIDDEN,
  })),
];

const fuzzContext = () => ({ peer: { id: 'fuzz', transport: 'test' }, signal: new AbortController().signal });

async function verifySigned(reply: unknown): Promise<Dict> {
  if (!isDict(reply)) throw new Error(`not a dict reply: ${String(reply)}`);
  expect(Object.keys(reply)).toEqual(['enc', 'load', 'sig']);
  const signed = bytes.asBytes(reply.load as Uint8Array);
  const ok = await suite.verify(
    suite.importPublicKey(master.publicPem),
    signed,
    bytes.asBytes(reply.sig as Uint8Array),
  );
  expect(ok).toBe(true);
  return loads(signed) as Dict;
}

describe('ReqServerChannel.handle under garbage', () => {
  let m: MasterFixture;

  beforeEach(async () => {
    m = await createMaster({ suite, keys: master });
    await m.store.putMinionKey('accepted', 'minion1', minion.publicPem);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_, row) => {
    const handled = m.channel.handle(overTheWire(row.message(m)), fuzzContext()) as Promise<unknown>;
    await expect(handled).resolves.toBeDefined();
    const reply = overTheWire(await handled);

    switch (row.reply) {
      case 'bad load':
        expect(reply).toBe('bad load');
        break;
      case 'string':
        expect(typeof reply).toBe('string');
        expect(reply).toMatch(/^(bad load|payload and load must be a dict)/);
        break;
      case 'signed false':
        expect((await verifySigned(reply)).ret).toBe(false);
        break;
      case 'signed accept': {
        const inner = await verifySigned(reply);
        expect(inner.enc).toBe('pub');
        expect(inner).not.toHaveProperty('token');
        break;
      }
      case 'bad enc algo':
      case 'bad sig algo':
        expect(reply).toEqual({ enc: 'clear', load: { ret: row.reply } });
        break;
      case 'encrypted':
        expect(reply).toBeInstanceOf(Uint8Array);
        break;
    }

    if (row.code === null) {
      expect(m.errors).toEqual([]);
    } else {
      expect(m.errors).toHaveLength(1);
      expect(m.errors[0]).toBeInstanceOf(BrineError);
      expect(m.errors[0]!.code).toBe(row.code);
    }
    // A bad request stores nothing; the only key is the one the fixture put there.
    for (const state of ['pending', 'rejected', 'denied'] as const)
      expect(await m.store.listMinionKeys(state)).toEqual([]);
    expect(await m.store.listMinionKeys('accepted')).toEqual(['minion1']);

    // And the master keeps serving a genuine request.
    const good = aes(m, { jid: 'after' });
    const before = m.returns.length;
    expect(await m.handle(overTheWire(good))).toBeInstanceOf(Uint8Array);
    expect(m.returns.length).toBe(before + 1);
  });

  it('random envelopes from a palette of hostile values: never throws, always a reply, every error typed', async () => {
    // A small deterministic PRNG (mulberry32) so a failure can be replayed.
    let state = 0x5eed;
    const rand = (): number => {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
    const values: unknown[] = [
      undefined,
      null,
      0,
      -1,
      3,
      2.5,
      'x',
      '',
      'aes',
      'clear',
      '_auth',
      '../x',
      'minion1',
      true,
      [],
      {},
      junk(7),
      junk(64, 3),
      'a\u0000b',
      'x'.repeat(300),
    ];
    for (let i = 0; i < 400; i++) {
      const load: Dict = {
        cmd: pick(['_auth', '_auth', '_return', pick(values)]),
        id: pick(['minion1', 'newbie', pick(values)]),
      };
      for (const field of ['nonce', 'pub', 'token', 'enc_algo', 'sig_algo', 'tok', 'ts']) {
        if (rand() < 0.5) load[field] = pick([...values, minion.publicPem, 'OAEP-SHA1', 'PKCS1v15-SHA1', nonce()]);
      }
      const envelope: Dict = {};
      for (const field of ['enc', 'load', 'version', 'id', 'enc_algo', 'sig_algo']) {
        if (rand() < 0.85)
          envelope[field] = pick([
            ...values,
            field === 'load' ? load : field === 'enc' ? 'clear' : field === 'version' ? 3 : 'minion1',
          ]);
      }
      if (rand() < 0.2) envelope.load = aes(m, load).load;
      const errorsBefore = m.errors.length;
      const reply = overTheWire(await m.channel.handle(overTheWire(envelope), fuzzContext()));
      const shaped =
        typeof reply === 'string' || reply instanceof Uint8Array || (isDict(reply) && reply.enc === 'clear');
      expect(
        shaped,
        JSON.stringify(envelope, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)),
      ).toBe(true);
      if (typeof reply === 'string') expect(m.errors.length).toBeGreaterThan(errorsBefore);
      for (const error of m.errors.slice(errorsBefore)) {
        expect(error).toBeInstanceOf(BrineError);
        expect(ALL_CODES.has(error.code)).toBe(true);
      }
    }
    // No hostile id ever reached the store.
    for (const state of ['accepted', 'pending', 'rejected', 'denied'] as const) {
      for (const id of await m.store.listMinionKeys(state)) expect(['minion1', 'newbie']).toContain(id);
    }
    expect(m.errors.length).toBeGreaterThan(300);
    expect(await m.handle(overTheWire(aes(m, { jid: 'after' })))).toBeInstanceOf(Uint8Array);
  });
});
