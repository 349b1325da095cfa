/**
 * Salt's ZeroMQ frame vectors (test/vectors/salt/frames.json, made by the real Salt code): every
 * body is `salt.payload.dumps(envelope)` byte for byte, and on the wire (captured through a TCP
 * tap between real libzmq sockets) each message carries exactly the vector's ZMTP frames.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Request } from 'zeromq';
import { dumps, loads, type Closable } from '@brine/contracts';
import { zmqTopic, zmqTransport } from '../src/index.js';
import { b64, hex, loadVector, toHex } from '../../../test/helpers/vectors.js';
import { endpointOf, FAST_RECONNECT, LOOPBACK, tapProxy, type TapProxy } from './helpers.js';

interface ZmqCase {
  name: string;
  hex: string;
  typed: unknown;
  zmtp_hex: string;
  topic?: string;
}

const cases = loadVector<{ zeromq: ZmqCase[] }>('frames.json').zeromq;
const byName = (name: string): ZmqCase => {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no vector ${name}`);
  return c;
};

/** The vectors' typed JSON as Brine values: `$str_b64` (str family holding non-UTF-8 bytes) -> Uint8Array. */
function fromTyped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromTyped);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$str_b64 === 'string') return b64(o.$str_b64);
    if (typeof o.$bin === 'string') return b64(o.$bin);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromTyped(v)]));
  }
  return value;
}

const opened: Array<Closable | TapProxy | { close(): void }> = [];
const track = <T extends Closable | TapProxy | { close(): void }>(x: T): T => {
  opened.push(x);
  return x;
};
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

describe('ZeroMQ vectors from Salt 3007.1', () => {
  it('covers every zeromq case in frames.json', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(
      [
        'pub_filtered_broadcast',
        'pub_filtered_targeted',
        'pub_unfiltered',
        'rep_aes_body',
        'req_aes_return_body',
        'req_clear_auth_body',
      ].sort(),
    );
  });

  for (const c of cases) {
    it(`${c.name}: dumps(envelope) is the vector body, and loads(body) is the envelope`, () => {
      const value = fromTyped(c.typed);
      expect(toHex(dumps(value))).toBe(c.hex);
      expect(loads(hex(c.hex))).toEqual(value);
    });

    it(`${c.name}: zmtp_hex is the body's ZMTP framing`, () => {
      const body = hex(c.hex);
      const frame = (bytes: Uint8Array, more: boolean): string => {
        const flags = (more ? 0x01 : 0) | (bytes.length > 255 ? 0x02 : 0);
        const size =
          bytes.length > 255 ? bytes.length.toString(16).padStart(16, '0') : bytes.length.toString(16).padStart(2, '0');
        return flags.toString(16).padStart(2, '0') + size + toHex(bytes);
      };
      const first = c.name.startsWith('pub_filtered') ? new TextEncoder().encode(c.topic!) : new Uint8Array(0);
      const expected = c.name === 'pub_unfiltered' ? frame(body, false) : frame(first, true) + frame(body, false);
      expect(c.zmtp_hex).toBe(expected);
    });
  }

  it('the targeted topic is sha1("minion1") in hex', () => {
    expect(byName('pub_filtered_targeted').topic).toBe(zmqTopic('minion1'));
  });

  for (const name of ['req_clear_auth_body', 'req_aes_return_body']) {
    it(`${name}: the request client puts [delimiter, body] on the wire, a REQ socket's bytes exactly`, async () => {
      const c = byName(name);
      const t = zmqTransport({ reconnect: FAST_RECONNECT });
      const server = track(t.requestServer());
      const seen: unknown[] = [];
      const address = await server.listen(LOOPBACK, (msg) => {
        seen.push(msg);
        return true;
      });
      const tap = track(await tapProxy(address as typeof LOOPBACK));
      const client = track(t.requestClient());
      await client.connect(tap.address, { timeout: 10_000 });
      expect(await client.request(fromTyped(c.typed), { timeout: 5000 })).toBe(true);
      expect(seen).toEqual([fromTyped(c.typed)]);
      const wire = toHex(tap.upstream());
      const at = wire.indexOf(c.zmtp_hex);
      expect(at).toBeGreaterThan(12);
      // After the handshake, exactly Salt's REQ framing: no request-id frame (flags MORE, size 4)
      // before the delimiter (requestPipelining adds one).
      expect(wire.slice(at)).toBe(c.zmtp_hex);
      expect(wire.slice(at - 12, at - 8)).not.toBe('0104');
    });
  }

  it("rep_aes_body: a salt-minion's REQ socket gets the reply as [delimiter, body] with the vector's bytes", async () => {
    const c = byName('rep_aes_body');
    const server = track(zmqTransport().requestServer());
    const address = await server.listen(LOOPBACK, () => fromTyped(c.typed));
    const tap = track(await tapProxy(address as typeof LOOPBACK));
    const req = track(new Request({ linger: 0 }));
    req.connect(endpointOf(tap.address));
    await req.send(dumps({ cmd: '_return' }));
    const [reply] = await req.receive();
    expect(toHex(reply!)).toBe(c.hex);
    expect(toHex(tap.downstream())).toContain(c.zmtp_hex);
  });

  for (const [name, filtering, topics] of [
    ['pub_unfiltered', false, undefined],
    ['pub_filtered_targeted', true, ['minion1']],
    ['pub_filtered_broadcast', true, undefined],
  ] as const) {
    it(`${name}: the publisher puts the vector's frames on the wire and the subscriber gets the body`, async () => {
      const c = byName(name);
      const t = zmqTransport({ zmqFiltering: filtering, reconnect: FAST_RECONNECT });
      const server = track(t.publishServer());
      const address = await server.listen(LOOPBACK);
      const tap = track(await tapProxy(address as typeof LOOPBACK));
      // Subscribed once the server has seen the subscription (its own topic, under filtering).
      const subscribed = filtering
        ? server.events.once('presence', { signal: AbortSignal.timeout(10_000) })
        : server.events.once('connection', { signal: AbortSignal.timeout(10_000) });
      const client = track(t.publishClient());
      await client.connect(tap.address, { timeout: 10_000, identity: 'minion1' });
      await subscribed;
      const it = client[Symbol.asyncIterator]();
      const next = it.next();
      await server.publish(hex(c.hex), topics ? { topics } : {});
      const got = await next;
      expect(toHex(got.value as Uint8Array)).toBe(c.hex);
      expect(toHex(tap.downstream())).toContain(c.zmtp_hex);
    });
  }
});
