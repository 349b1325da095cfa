import type { Master } from '@brine/core';

/** Which minions saw their `_return` acknowledged, by jid (the master has a return before its minion knows). */
export class ReturnLog {
  private readonly seen = new Map<string, Set<string>>();
  private readonly waiters = new Set<() => void>();

  record(jid: string, id: string): void {
    let ids = this.seen.get(jid);
    if (!ids) this.seen.set(jid, (ids = new Set()));
    ids.add(id);
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves once every id in `ids` has recorded a return for `jid`. */
  waitFor(jid: string, ids: readonly string[]): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = () => {
        const got = this.seen.get(jid);
        if (!ids.every((id) => got?.has(id))) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** Resolves once the master has fired `salt/auth` with `act` for every id (subscribe before the minions start). */
export function waitForAuthAct(master: Master, ids: readonly string[], act: string): Promise<void> {
  const left = new Set(ids);
  return new Promise<void>((resolve) => {
    const off = master.bus.subscribe('salt/auth', (event) => {
      if (event.data.act === act) left.delete(String(event.data.id));
      if (left.size === 0) {
        off();
        resolve();
      }
    });
  });
}
