/**
 * The request channel speaks the protocol version the master answered with: a master that signs
 * a minion in without a session key (protocol v2, Salt 3007.1) gets v2 requests even from a
 * minion configured for v3 — no `ts`/`id`/`tok` added to `_return` (3007.1 would put the 256-byte
 * token into the return event), and `tok` in every other command (3007.1 drops an event without it).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@brine/contracts';
import { Crypticle, ReqChannel, type AsyncAuth, type AuthCredentials, type Dict, type MinionKeys } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { loopbackClient } from './helpers/auth-fixtures.js';

const suite = createNodeSaltSuite();
const TOK = new Uint8Array(256).fill(0xaa);

function channelFor(creds: AuthCredentials, version: number) {
  const sent: Dict[] = [];
  const client = loopbackClient(async (message) => {
    const envelope = message as Dict;
    sent.push(envelope);
    const crypticle = envelope.version === 3 ? creds.sessionCrypticle! : creds.crypticle;
    const body = crypticle.loads(envelope.load as Uint8Array) as Dict;
    return crypticle.dumps(true, String(body.nonce));
  });
  const auth = { creds, authenticate: async () => creds } as unknown as AsyncAuth;
  const keys = { token: async () => TOK } as unknown as MinionKeys;
  const channel = new ReqChannel({ client, auth, keys, suite, logger: silentLogger }, { id: 'm1', version });
  const bodies = () =>
    sent.map((e) => (e.version === 3 ? creds.sessionCrypticle! : creds.crypticle).loads(e.load as Uint8Array) as Dict);
  return { channel, sent, bodies };
}

function credentials(session: boolean): AuthCredentials {
  const aes = suite.generateSessionKey();
  const key = suite.generateSessionKey();
  return {
    aes,
    session: session ? key : undefined,
    publishPort: 4505,
    masterUri: 'tcp://127.0.0.1:4506',
    crypticle: Crypticle.fromKey(suite, aes),
    sessionCrypticle: session ? Crypticle.fromKey(suite, key) : undefined,
  };
}

describe('ReqChannel negotiated protocol version', () => {
  it('a v2 master (no session key): v2 envelopes, no token in _return, a token in _minion_event', async () => {
    const { channel, sent, bodies } = channelFor(credentials(false), 3);
    expect(await channel.send({ cmd: '_return', id: 'm1', jid: '1', return: true })).toBe(true);
    expect(await channel.send({ cmd: '_minion_event', id: 'm1', tag: 'x', data: {} })).toBe(true);
    expect(sent.map((e) => e.version)).toEqual([2, 2]);
    expect(sent.every((e) => !('enc_algo' in e) && !('id' in e))).toBe(true);
    const [ret, event] = bodies();
    expect(Object.keys(ret!).sort()).toEqual(['cmd', 'id', 'jid', 'nonce', 'return']);
    expect(event!.tok).toEqual(TOK);
    expect('ts' in event!).toBe(false);
  });

  it('configured auth_protocol_version 2 against a v3 master: still v2, token on events', async () => {
    const { channel, sent, bodies } = channelFor(credentials(true), 2);
    await channel.send({ cmd: '_minion_event', id: 'm1', tag: 'x', data: {} });
    expect(sent[0]!.version).toBe(2);
    expect(bodies()[0]!.tok).toEqual(TOK);
  });

  it('a v3 master (session key): v3 envelopes with ts, tok and id', async () => {
    const { channel, sent, bodies } = channelFor(credentials(true), 3);
    await channel.send({ cmd: '_return', id: 'm1', jid: '1', return: true });
    expect(sent[0]).toMatchObject({ version: 3, id: 'm1' });
    expect(bodies()[0]).toMatchObject({ tok: TOK, id: 'm1' });
    expect(typeof bodies()[0]!.ts).toBe('number');
  });
});
