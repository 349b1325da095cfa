/**
 * Salt job ids: 20 digits, `YYYYmmddHHMMSSffffff` (UTC). Each call returns a new, increasing jid even
 * within one microsecond.
 */
export class JidFactory {
  private last = 0n;

  next(now: Date = new Date()): string {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const base =
      `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}` +
      `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}${p(now.getUTCMilliseconds(), 3)}000`;
    let value = BigInt(base);
    if (value <= this.last) value = this.last + 1n;
    this.last = value;
    return value.toString();
  }
}

/** A jid as a minion may send it: digits only, at most 20 (plus Salt's `req` for salt-call). */
export function isValidJid(jid: unknown): jid is string {
  return typeof jid === 'string' && (/^\d{1,20}$/.test(jid) || jid === 'req');
}
