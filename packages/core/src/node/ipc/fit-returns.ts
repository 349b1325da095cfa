import { packb } from '@brine/contracts';
import type { JobResult } from '../../master/jobs.js';

/** Bytes kept for the reply's envelope and the ids, jid and minion lists. */
const HEADROOM = 64 * 1024;

/**
 * Fits a job result into one local reply of at most `limit` bytes (the master's
 * `max_message_size`, which the control socket and event followers share). Each return travels
 * once, in `returns`: `details` keep the rest of each `_return` (`success`, `retcode`, ...) without
 * its `return` (new objects: the master's own records are not touched). Then the largest returns
 * are replaced, one minion at a time, by a line saying so, until the rest fits. Every other
 * minion's return is delivered whole. Returns the ids refused.
 */
export function fitReturns(result: JobResult, limit: number): string[] {
  const ids = Object.keys(result.details);
  for (const id of ids) {
    const { return: _dropped, ...rest } = result.details[id]!;
    result.details[id] = rest;
  }
  const cost = new Map(ids.map((id) => [id, packb({ r: result.returns[id], d: result.details[id] }).length]));
  let total = [...cost.values()].reduce((a, b) => a + b, 0) + packb(result.minions).length;
  const budget = Math.max(0, limit - HEADROOM);
  const refused: string[] = [];
  for (const id of [...ids].sort((a, b) => cost.get(b)! - cost.get(a)!)) {
    if (total <= budget) break;
    const size = cost.get(id)!;
    const line = `The return of ${id} (${size} bytes) is over max_message_size (${limit} bytes) for one reply and was not delivered here; it is on the master's event bus as salt/job/${result.jid}/ret/${id}`;
    result.returns[id] = line;
    result.details[id] = { id, jid: result.jid, retcode: 1, success: false, refused: 'size' };
    total -= size;
    refused.push(id);
  }
  return refused;
}
