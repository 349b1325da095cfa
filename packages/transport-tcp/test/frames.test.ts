import { describe, expect, it } from 'vitest';
import { FrameSplitter, loads } from '@brine/contracts';
import { decodeFrame, encodeFrame } from '@brine/transport-tcp';
import { b64, hex, loadVector, toHex } from '../../../test/helpers/vectors.js';

interface TcpCase {
  name: string;
  hex: string;
  typed: unknown;
}

const frames = loadVector<{ tcp: TcpCase[] }>('frames.json');

/** Turns the vector's typed rendering into the JS value Brine sends (bin -> Uint8Array). */
function fromTyped(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromTyped);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$bin === 'string') return b64(o.$bin);
    if (typeof o.$str_b64 === 'string') return b64(o.$str_b64);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromTyped(x)]));
  }
  return v;
}

describe('Salt TCP frame vectors (frames.json, tcp)', () => {
  it('has the five TCP cases', () => {
    expect(frames.tcp.map((c) => c.name)).toEqual([
      'req_clear_auth_frame',
      'req_aes_return_frame',
      'rep_aes_frame',
      'pub_frame',
      'pub_send_id_frame',
    ]);
  });

  for (const c of frames.tcp) {
    it(`${c.name}: encodes byte for byte and decodes back`, () => {
      const typed = fromTyped(c.typed) as { head: Record<string, unknown>; body: unknown };
      expect(toHex(encodeFrame(typed.head, typed.body))).toBe(c.hex);
      const frame = decodeFrame(hex(c.hex), 1 << 20);
      expect(frame.head).toEqual(typed.head);
      expect(frame.body).toEqual(loads(hex(c.hex)) && (loads(hex(c.hex)) as { body: unknown }).body);
    });
  }

  it('cuts a stream of all five frames however it is chunked', () => {
    const stream = Buffer.concat(frames.tcp.map((c) => Buffer.from(c.hex, 'hex')));
    for (const chunk of [1, 2, 3, 7, 64, 4096, stream.length]) {
      const splitter = new FrameSplitter({ maxMessageSize: 1 << 20 });
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += chunk) {
        for (const f of splitter.push(stream.subarray(i, i + chunk))) out.push(toHex(f));
      }
      expect(out).toEqual(frames.tcp.map((c) => c.hex));
      expect(splitter.buffered).toBe(0);
    }
  });

  it('the publish frame body is the pre-serialized payload, unwrapped as bytes', () => {
    const pub = frames.tcp.find((c) => c.name === 'pub_frame')!;
    const frame = decodeFrame(hex(pub.hex), 1 << 20);
    const inner = loads(frame.body as Uint8Array) as Record<string, unknown>;
    expect(inner.enc).toBe('aes');
    expect(inner.load).toBeInstanceOf(Uint8Array);
  });
});
