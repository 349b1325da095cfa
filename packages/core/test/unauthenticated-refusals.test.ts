import { describe, expect, it } from 'vitest';
import { ErrorCodes, type BrineError, type RequestContext } from '@brine/contracts';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { createMaster, vectorPair } from './helpers/auth-fixtures.js';

const suite = createNodeSaltSuite();
const junk = { enc: 'clear', load: { cmd: '_nothing' }, version: 3 };

function connection(): { context: RequestContext; drops: BrineError[] } {
  const drops: BrineError[] = [];
  const context: RequestContext = {
    peer: { id: 'peer-1', transport: 'test' },
    signal: new AbortController().signal,
    authenticate: () => undefined,
    drop: (error) => void drops.push(error),
  };
  return { context, drops };
}

describe('max_unauthenticated_refusals', () => {
  it('an unauthenticated connection is dropped at its 8th refusal (default), not before', async () => {
    const fixture = await createMaster({ suite });
    const { context, drops } = connection();
    for (let i = 0; i < 7; i++) await fixture.channel.handle(junk, context);
    expect(drops).toEqual([]);
    await fixture.channel.handle(junk, context);
    expect(drops.map((e) => e.code)).toEqual([ErrorCodes.TOO_MANY_REFUSALS]);
    expect(drops[0]!.details).toMatchObject({ refusals: 8, maxUnauthenticatedRefusals: 8 });
  });

  it('counts per connection, and never once the connection authenticated', async () => {
    const fixture = await createMaster({
      suite,
      auth: { autoAccept: true },
      channel: { maxUnauthenticatedRefusals: 2 },
    });
    const a = connection();
    const b = connection();
    await fixture.channel.handle(junk, a.context);
    await fixture.channel.handle(junk, b.context);
    expect([a.drops.length, b.drops.length]).toEqual([0, 0]);
    const pub = vectorPair('minion').publicPem;
    const auth = {
      enc: 'clear',
      load: { cmd: '_auth', id: 'good', nonce: 'a'.repeat(32), enc_algo: 'OAEP-SHA1', sig_algo: 'PKCS1v15-SHA1', pub },
      version: 3,
    };
    await fixture.channel.handle(auth, b.context);
    for (let i = 0; i < 5; i++) await fixture.channel.handle(junk, b.context);
    expect(b.drops).toEqual([]);
    await fixture.channel.handle(junk, a.context);
    expect(a.drops.map((e) => e.code)).toEqual([ErrorCodes.TOO_MANY_REFUSALS]);
  });

  it('0 never drops; a transport without drop (ZeroMQ) is left alone', async () => {
    const fixture = await createMaster({ suite, channel: { maxUnauthenticatedRefusals: 0 } });
    const { context, drops } = connection();
    for (let i = 0; i < 20; i++) await fixture.channel.handle(junk, context);
    expect(drops).toEqual([]);
    const other = await createMaster({ suite });
    const noDrop: RequestContext = { peer: { id: 'z', transport: 'zeromq' }, signal: new AbortController().signal };
    for (let i = 0; i < 20; i++) await other.channel.handle(junk, noDrop);
    expect(other.errors).toHaveLength(20);
  });
});
