/**
 * v3_3008.json `v3_request`: a protocol-version-3 request built by Salt 3008.2's
 * `AsyncReqChannel._package_load` (pinned session key, IV, nonce and ts) and the master's reply.
 * Brine reproduces the envelope and the reply byte for byte, and its master channel decrypts,
 * authenticates and answers the recorded envelope.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, bytes, dumps, loads, silentLogger } from '@brine/contracts';
import { AsyncAuth, Crypticle, MinionKeys, ReqChannel, uuid4Hex, type Dict } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { b64, hex, loadVector, toHex } from '../../../test/helpers/vectors.js';
import { createMaster, directSender, loopbackClient, storeWith, vectorPair } from './helpers/auth-fixtures.js';
import { fromTyped, typedBytes } from './helpers/typed.js';

interface V3Request {
  session_key_string: string;
  iv_hex: string;
  nonce: string;
  ts: number;
  input_load: Record<string, unknown>;
  envelope_typed: Record<string, unknown>;
  envelope_wire_hex: string;
  encrypted_load_plaintext_hex: string;
  encrypted_load_plaintext_typed: Record<string, unknown>;
  tok_b64: string;
  reply_blob_b64: string;
  reply_wire_hex: string;
  reply_plaintext_hex: string;
}

const v = loadVector<{ v3_request: V3Request }>('v3_3008.json').v3_request;
const iv = hex(v.iv_hex);
const sessionRaw = bytes.fromBase64(v.session_key_string);

/** A node suite whose IVs (16-byte draws) are the vector's, and whose session keys (56) are the vector's. */
const pinnedSuite = () =>
  createNodeSaltSuite({
    randomBytes: (n) => {
      if (n === 16) return iv.slice();
      if (n === 56) return sessionRaw.slice();
      throw new Error(`unexpected randomBytes(${n})`);
    },
  });

/** Salt's `_package_load` for v3: nonce, ts, tok, id added to the load (id keeps its place). */
function v3Body(load: Dict, nonce: string, ts: number, tok: Uint8Array): Dict {
  return { ...load, nonce, ts, tok, id: load.id };
}

function v3Envelope(crypticle: Crypticle, body: Dict): Dict {
  return {
    enc: 'aes',
    load: crypticle.dumps(body),
    version: 3,
    id: body.id,
    enc_algo: 'OAEP-SHA1',
    sig_algo: 'PKCS1v15-SHA1',
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('v3_3008.json v3_request (Salt 3008.2)', () => {
  it('the minion tok is X9.31(minion.pem, "salt"): MinionKeys.token() gives tok_b64', async () => {
    const keys = await MinionKeys.load(await storeWith('minion', vectorPair('minion')), createNodeSaltSuite());
    expect(Buffer.from(await keys.token()).toString('base64')).toBe(v.tok_b64);
  });

  it('reproduces envelope_wire_hex byte for byte from input_load with the pinned key, IV, nonce, ts and tok', () => {
    const crypticle = Crypticle.fromKey(pinnedSuite(), v.session_key_string);
    const body = v3Body(fromTyped(v.input_load) as Dict, v.nonce, v.ts, b64(v.tok_b64));
    expect(body).toEqual(fromTyped(v.encrypted_load_plaintext_typed));
    expect(Object.keys(body)).toEqual(Object.keys(v.encrypted_load_plaintext_typed));
    expect(toHex(bytes.concatBytes([bytes.utf8Encode('pickle::'), dumps(body)]))).toBe(v.encrypted_load_plaintext_hex);
    const envelope = v3Envelope(crypticle, body);
    expect(Object.keys(envelope)).toEqual(['enc', 'load', 'version', 'id', 'enc_algo', 'sig_algo']);
    expect(toHex(dumps(envelope))).toBe(v.envelope_wire_hex);
    expect(loads(hex(v.envelope_wire_hex))).toEqual(fromTyped(v.envelope_typed));
  });

  it('decrypts the recorded envelope with the session key to encrypted_load_plaintext_typed', () => {
    const envelope = loads(hex(v.envelope_wire_hex)) as Dict;
    const crypticle = Crypticle.fromKey(createNodeSaltSuite(), v.session_key_string);
    expect(crypticle.loads(envelope.load as Uint8Array)).toEqual(fromTyped(v.encrypted_load_plaintext_typed));
    // A different session key fails the MAC.
    const other = Crypticle.fromKey(createNodeSaltSuite(), createNodeSaltSuite().generateSessionKey());
    expect(() => other.loads(envelope.load as Uint8Array)).toThrow(
      expect.objectContaining({ code: ErrorCodes.AUTHENTICATION }),
    );
  });

  it('reproduces reply_wire_hex: session Crypticle dumps(True, nonce) with the pinned IV', () => {
    const crypticle = Crypticle.fromKey(pinnedSuite(), v.session_key_string);
    const blob = crypticle.dumps(true, v.nonce);
    expect(toHex(blob)).toBe(toHex(b64(v.reply_blob_b64)));
    expect(toHex(dumps(blob))).toBe(v.reply_wire_hex);
    const minion = Crypticle.fromKey(createNodeSaltSuite(), v.session_key_string);
    expect(toHex(minion.cipher.decrypt(blob))).toBe(v.reply_plaintext_hex);
    expect(minion.loads(loads(hex(v.reply_wire_hex)) as Uint8Array, { nonce: v.nonce })).toBe(true);
    expect(() => minion.loads(blob, { nonce: 'f'.repeat(32) })).toThrow(
      expect.objectContaining({ code: ErrorCodes.NONCE_MISMATCH }),
    );
  });

  it('a Brine master (ReqServerChannel) decrypts, authenticates and answers the recorded envelope with reply_wire_hex', async () => {
    const master = await createMaster({ suite: pinnedSuite(), aesKey: createNodeSaltSuite().generateSessionKey() });
    await master.store.putMinionKey('accepted', 'minion1', vectorPair('minion').publicPem);
    // The session the master issued to minion1 is the vector's (its 56 random bytes are pinned).
    expect(master.sessions.keyFor('minion1')).toBe(v.session_key_string);
    const reply = await master.handle(loads(hex(v.envelope_wire_hex)));
    expect(master.errors).toEqual([]);
    expect(toHex(dumps(reply))).toBe(v.reply_wire_hex);
    // The command sees the load without the channel's nonce and tok (Salt pops both).
    const { nonce: _n, tok: _t, ...expected } = fromTyped(v.encrypted_load_plaintext_typed) as Dict;
    expect(master.returns).toEqual([expected]);
    // The very same bytes again are a replay.
    expect(await master.handle(loads(hex(v.envelope_wire_hex)))).toBe('bad load');
    expect(master.errors.map((e) => e.code)).toEqual([ErrorCodes.REPLAY]);
    expect(master.returns).toHaveLength(1);
  });

  it('Brine’s ReqChannel builds the envelope the Salt way (same bytes as _package_load for its nonce and ts)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(v.ts * 1000 + 999);
    const master = await createMaster({ suite: pinnedSuite(), aesKey: createNodeSaltSuite().generateSessionKey() });
    await master.store.putMinionKey('accepted', 'minion1', vectorPair('minion').publicPem);
    const suite = createNodeSaltSuite({ randomBytes: (n) => (n === 16 ? iv.slice() : new Uint8Array(n).fill(7)) });
    const store = await storeWith('minion', vectorPair('minion'));
    const keys = await MinionKeys.load(store, suite);
    const auth = new AsyncAuth(
      { suite, store, keys, send: directSender(master), logger: silentLogger },
      { id: 'minion1', masterUri: 'tcp://127.0.0.1:4506' },
    );
    const creds = await auth.authenticate();
    expect(creds.session).toBe(v.session_key_string);

    const sent: unknown[] = [];
    const client = loopbackClient(async (message) => {
      sent.push(message);
      return master.handle(loads(dumps(message)));
    });
    const channel = new ReqChannel(
      { client: client, auth: auth, keys: keys, suite, logger: silentLogger },
      { id: 'minion1' },
    );
    expect(await channel.send(fromTyped(v.input_load) as Dict)).toBe(true);

    // The nonce is uuid4 of the (pinned) random bytes; everything else is the vector's.
    const nonce = uuid4Hex(() => iv.slice());
    const expected = v3Envelope(
      Crypticle.fromKey(pinnedSuite(), v.session_key_string),
      v3Body(fromTyped(v.input_load) as Dict, nonce, v.ts, b64(v.tok_b64)),
    );
    expect(sent).toHaveLength(1);
    expect(toHex(dumps(sent[0]))).toBe(toHex(dumps(expected)));
    // Same layout as the recorded envelope: only the nonce's 32 bytes differ.
    expect(dumps(sent[0]).length).toBe(hex(v.envelope_wire_hex).length);
    expect(typedBytes(v.envelope_typed.load).length).toBe((expected.load as Uint8Array).length);
    auth.close();
  });

  it('the master refuses the recorded envelope when minion1’s key is not accepted (tok cannot be verified)', async () => {
    const master = await createMaster({ suite: pinnedSuite(), aesKey: createNodeSaltSuite().generateSessionKey() });
    master.sessions.keyFor('minion1');
    expect(await master.handle(loads(hex(v.envelope_wire_hex)))).toBe('bad load');
    expect(master.errors.map((e) => e.code)).toEqual([ErrorCodes.TOKEN_INVALID]);
    expect(master.returns).toEqual([]);
    // Once accepted, the same minion's fresh request goes through (the refusal left nothing behind).
    await master.store.putMinionKey('accepted', 'minion1', vectorPair('minion').publicPem);
    const envelope = v3Envelope(
      Crypticle.fromKey(createNodeSaltSuite(), v.session_key_string),
      v3Body(fromTyped(v.input_load) as Dict, 'a'.repeat(32), v.ts, b64(v.tok_b64)),
    );
    expect(await master.handle(loads(dumps(envelope)))).toBeInstanceOf(Uint8Array);
    expect(master.returns).toHaveLength(1);
    expect(master.errors).toHaveLength(1);
  });
});
