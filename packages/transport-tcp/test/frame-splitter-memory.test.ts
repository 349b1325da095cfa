import { describe, expect, it } from 'vitest';
import { dumps, FrameSplitter, loads } from '@brine/contracts';

const KiB = 1024;
const MiB = 1024 * KiB;

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe('FrameSplitter memory: a large message costs its size once, and is not kept afterwards', () => {
  it('gathers a 3 MiB message in one buffer of its length, hands it out, and then holds at most 64 KiB', () => {
    const big = dumps({ head: {}, body: new Uint8Array(3 * MiB).fill(7) });
    const small = dumps({ head: {}, body: 'after' });
    const stream = new Uint8Array(big.length + small.length);
    stream.set(big);
    stream.set(small, big.length);
    const splitter = new FrameSplitter({ maxMessageSize: 8 * MiB });
    const out: Uint8Array[] = [];
    let peakCapacity = 0;
    for (const c of chunks(stream, 64 * KiB)) {
      out.push(...splitter.push(c));
      peakCapacity = Math.max(peakCapacity, splitter.capacity);
    }
    expect(out).toHaveLength(2);
    expect(out[0]!.length).toBe(big.length);
    expect(Buffer.compare(out[0]!, big)).toBe(0); // byte for byte
    expect(loads(out[1]!)).toEqual({ head: {}, body: 'after' });
    // One buffer of the declared length (no doubling to 4 MiB), which the message now owns.
    expect(peakCapacity).toBeLessThanOrEqual(big.length + 64 * KiB);
    expect(out[0]!.buffer.byteLength).toBeLessThanOrEqual(big.length + 64 * KiB);
    expect(splitter.capacity).toBeLessThanOrEqual(64 * KiB);
  });

  it('a large message followed in the same chunk by the start of the next keeps that start', () => {
    const big = dumps({ body: new Uint8Array(200 * KiB).fill(1) });
    const next = dumps({ body: 'next' });
    const stream = new Uint8Array(big.length + next.length);
    stream.set(big);
    stream.set(next, big.length);
    const splitter = new FrameSplitter({ maxMessageSize: MiB });
    const cut = big.length + 3; // the first chunk ends three bytes into the next message
    const first = splitter.push(stream.subarray(0, cut));
    expect(first).toHaveLength(1);
    expect(splitter.buffered).toBe(3);
    const second = splitter.push(stream.subarray(cut));
    expect(second.map((m) => loads(m))).toEqual([{ body: 'next' }]);
    expect(splitter.capacity).toBeLessThanOrEqual(64 * KiB);
  });

  it('small messages still come out as their own copies (the buffer is reused)', () => {
    const splitter = new FrameSplitter({ maxMessageSize: MiB });
    const a = splitter.push(dumps({ n: 1 }));
    const b = splitter.push(dumps({ n: 2 }));
    expect(loads(a[0]!)).toEqual({ n: 1 });
    expect(loads(b[0]!)).toEqual({ n: 2 });
    expect(a[0]!.buffer).not.toBe(b[0]!.buffer);
  });
});
