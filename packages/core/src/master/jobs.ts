import type { Dict } from '../protocol/values.js';
import { defer, type Deferred, ErrorCodes, StateError } from '@brine/contracts';

/** What a `run` collects: each minion's return, and who did not answer in time. */
export interface JobResult {
  jid: string;
  /** Minions the target selected when the job was published. */
  minions: string[];
  returns: Record<string, unknown>;
  /** Full `_return` loads by minion (success, retcode, ...). */
  details: Record<string, Dict>;
  /** Targeted minions without a return when the wait ended. */
  missing: string[];
}

interface Job {
  jid: string;
  minions: Set<string>;
  details: Map<string, Dict>;
  complete: Deferred<void>;
}

/** Tracks published jobs and their returns until collected. */
export class JobTracker {
  private readonly jobs = new Map<string, Job>();

  start(jid: string, minions: readonly string[]): void {
    const job: Job = { jid, minions: new Set(minions), details: new Map(), complete: defer<void>() };
    this.jobs.set(jid, job);
    if (job.minions.size === 0) job.complete.resolve();
  }

  /** Records a return; returns false when no tracked job has that jid (Salt still fires the event). */
  record(jid: string, id: string, load: Dict): boolean {
    const job = this.jobs.get(jid);
    if (!job) return false;
    job.details.set(id, load);
    if ([...job.minions].every((m) => job.details.has(m))) job.complete.resolve();
    return true;
  }

  /** Resolves when every targeted minion returned, or when `signal` aborts; then forgets the job. */
  async collect(jid: string, signal: AbortSignal): Promise<JobResult> {
    const job = this.jobs.get(jid);
    if (!job) throw new StateError(ErrorCodes.INVALID_STATE, `unknown job ${jid.slice(0, 64)}`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      void job.complete.promise.then(resolve);
    });
    this.jobs.delete(jid);
    const details = Object.fromEntries(job.details);
    const returns = Object.fromEntries([...job.details].map(([id, load]) => [id, load.return]));
    return {
      jid,
      minions: [...job.minions],
      returns,
      details,
      missing: [...job.minions].filter((m) => !job.details.has(m)),
    };
  }

  get size(): number {
    return this.jobs.size;
  }
}
