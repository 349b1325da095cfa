import { describe, expect, it } from 'vitest';
import { decode, dumps, encode, float64, loads, packb, SaltConstant, SaltDatetime } from '@brine/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { b64, hex, loadVector, toHex, VECTORS_DIR } from '../../../test/helpers/vectors.js';

interface PayloadCase {
  name: string;
  input: unknown;
  dumps_hex: string;
  dumps_bin_type_hex: string;
  msgpack_default_hex: string | null;
  loads_result: unknown;
  loads_bin_type_result: unknown;
}

const vectors = loadVector<{
  cases: PayloadCase[];
  decode_only: Array<{ name: string; hex: string; loads_result: unknown }>;
}>('payload.json');

/** Turns the vector JSON rendering of a Python value into the JS value a Brine user would pass. */
function toInput(name: string, v: unknown): unknown {
  if (name === 'floats') return (v as number[]).map((n) => float64(n));
  if (name === 'int_keys') return new Map(Object.entries(v as object).map(([k, val]) => [Number(k), val]));
  if (name === 'ints' || name === 'big_int_over_u64') {
    return Object.fromEntries(
      Object.entries(v as Record<string, number>).map(([k, n]) => [
        k,
        Number.isSafeInteger(n) ? n : BigInt(bigText(name, k)),
      ]),
    );
  }
  return fromJson(v);
}

// JSON.parse loses precision on big ints: read them from the raw file text instead.
const rawText = readFileSync(join(VECTORS_DIR, 'payload.json'), 'utf8');
function bigText(caseName: string, key: string): string {
  const at = rawText.indexOf(`"name": "${caseName}"`);
  const m = new RegExp(`"${key}": (-?\\d+)`).exec(rawText.slice(at));
  if (!m) throw new Error(`no ${key} in ${caseName}`);
  return m[1]!;
}

function fromJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$b64 === 'string') return b64(o.$b64);
    if (Array.isArray(o.$set)) return new Set(o.$set.map(fromJson));
    if (typeof o.$datetime === 'string') {
      const d = o.$datetime;
      return new SaltDatetime(d.length === 10 ? `${d.replaceAll('-', '')}T00:00:00.000000` : wireDatetime(d));
    }
    if (Array.isArray(o.$constant)) return new SaltConstant(o.$constant[0] as string, fromJson(o.$constant[1]));
    return Object.fromEntries(Object.entries(o).map(([k, val]) => [k, fromJson(val)]));
  }
  return v;
}

function wireDatetime(iso: string): string {
  const [date, time] = iso.split('T') as [string, string];
  const [hms, frac = '0'] = time.split('.');
  return `${date.replaceAll('-', '')}T${hms}.${frac.padEnd(6, '0')}`;
}

/** Renders a decoded Brine value the way the vectors render Python values. */
function toJsonShape(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $b64: Buffer.from(v).toString('base64') };
  if (v instanceof SaltDatetime) return { $datetime: v.iso };
  if (v instanceof SaltConstant) return { $constant: [v.name, toJsonShape(v.value)] };
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(toJsonShape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, val]) => [k, toJsonShape(val)]));
  return v;
}

function expectedShape(v: unknown, name: string, which: 'loads_result'): unknown {
  if (name === 'ints') {
    // u64max and i64min exceed 2^53: compare them as decimal text.
    return Object.fromEntries(
      Object.entries(v as Record<string, number>).map(([k, n]) => [k, Number.isSafeInteger(n) ? n : bigText(name, k)]),
    );
  }
  void which;
  return v;
}

describe('Salt payload vectors (payload.json)', () => {
  it('has the cases the spec lists', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(18);
  });

  for (const c of vectors.cases) {
    describe(c.name, () => {
      const input = toInput(c.name, c.input);

      it('dumps() matches salt.payload.dumps byte for byte', () => {
        expect(toHex(dumps(input))).toBe(c.dumps_hex);
      });

      it('encode(binType) matches dumps(use_bin_type=True) byte for byte', () => {
        expect(toHex(packb(input))).toBe(c.dumps_bin_type_hex);
        if (c.msgpack_default_hex) expect(toHex(encode(input, { binType: true }))).toBe(c.msgpack_default_hex);
      });

      it('loads() of the Salt bytes gives what salt.payload.loads gives', () => {
        expect(toJsonShape(loads(hex(c.dumps_hex)))).toEqual(expectedShape(c.loads_result, c.name, 'loads_result'));
        expect(toJsonShape(loads(hex(c.dumps_bin_type_hex)))).toEqual(
          expectedShape(c.loads_bin_type_result, c.name, 'loads_result'),
        );
      });
    });
  }

  for (const c of vectors.decode_only) {
    it(`decode_only: ${c.name}`, () => {
      expect(toJsonShape(loads(hex(c.hex)))).toEqual(c.loads_result);
    });
  }

  it('raw mode keeps every string as bytes', () => {
    const value = decode(hex('81a162c403616263'), { strings: 'raw' }) as Record<string, unknown>;
    expect(value.b).toBeInstanceOf(Uint8Array);
  });
});
