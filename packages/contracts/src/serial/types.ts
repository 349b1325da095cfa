/**
 * Value types that Salt's msgpack carries beyond plain JSON-like data.
 */

/** A Python float. Numbers that are integers encode as msgpack ints; wrap them to force float64 (Python `3.0`). */
export class Float64 {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

export function float64(value: number): Float64 {
  return new Float64(value);
}

/** Salt's ext type 78: a naive datetime, carried as ASCII `%Y%m%dT%H:%M:%S.%f`. */
export class SaltDatetime {
  static readonly EXT_TYPE = 78;

  /** `text` is the wire form, e.g. `20240519T12:59:07.123456`. */
  constructor(readonly text: string) {}

  /** Formats a Date (its UTC fields, microseconds from milliseconds) in Salt's wire form. */
  static fromDate(date: Date): SaltDatetime {
    const p = (n: number, w = 2): string => String(n).padStart(w, '0');
    return new SaltDatetime(
      `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}T` +
        `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}.` +
        `${p(date.getUTCMilliseconds(), 3)}000`,
    );
  }

  /** ISO 8601 form as Python's `datetime.isoformat()` prints it (no zone; microseconds dropped when 0). */
  get iso(): string {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(this.text);
    if (!m) return this.text;
    const frac = m[7] && Number(m[7]) !== 0 ? `.${m[7].padEnd(6, '0')}` : '';
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}`;
  }

  /** The datetime read as UTC. */
  toDate(): Date {
    return new Date(`${this.iso}Z`);
  }

  toJSON(): string {
    return this.iso;
  }
}

/** Salt's ext type 79: `salt.defaults._Constant`, carried as msgpack `[name, value]`. */
export class SaltConstant {
  static readonly EXT_TYPE = 79;
  constructor(
    readonly name: string,
    readonly value: unknown,
  ) {}
}

/** Any other ext type, kept as its raw data. */
export class ExtValue {
  constructor(
    readonly type: number,
    readonly data: Uint8Array,
  ) {}
}
