/**
 * The jids a minion has run, newest last, bounded (Salt's `minion_jid_queue_hwm`; Brine option
 * `minion_jid_cache`, default 10000), so a replayed publish never runs twice. `add` resolves once
 * the jid is durable (for the on-disk cache), before the job runs.
 */
export interface JidCache {
  has(jid: string): boolean;
  add(jid: string): Promise<void>;
}

/** An in-memory JidCache (browsers, tests): forgotten when the process ends. */
export class MemoryJidCache implements JidCache {
  protected readonly jids = new Set<string>();

  constructor(protected readonly limit = 10_000) {}

  has(jid: string): boolean {
    return this.jids.has(jid);
  }

  async add(jid: string): Promise<void> {
    this.remember(jid);
  }

  get size(): number {
    return this.jids.size;
  }

  protected remember(jid: string): void {
    this.jids.add(jid);
    while (this.jids.size > this.limit) this.jids.delete(this.jids.values().next().value as string);
  }
}
