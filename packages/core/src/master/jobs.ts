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
  started: number;
  /** Callers waiting in `collect`: such a job is never evicted to make room. */
  collectors: number;
}

export interface JobTrackerOptions {
  /** Most jobs held at once (Brine `max_jobs`, default 10000); the oldest uncollected one is dropped to make room. */
  maxJobs?: number;
  /** Hours a job (and its returns) is kept when nobody collects it (Salt `keep_jobs`, default 24; 0 = for ever). */
  keepJobs?: number;
  now?: () => number;
  /** Told when every targeted minion of a job has returned (for metrics). */
  onComplete?: (jid: string, minions: number, durationMs: number) => void;
}

/**
 * Tracks published jobs and their returns until collected, bounded: at most `max_jobs` jobs, each
 * kept at most `keep_jobs` hours (Salt's job cache retention), so `publish()` without `run()`
 * cannot grow the master without limit.
 */
export class JobTracker {
  private readonly jobs = new Map<string, Job>();
  private readonly maxJobs: number;
  private readonly keepMs: number;
  private readonly now: () => number;
  private readonly onComplete: JobTrackerOptions['onComplete'];
  /** Jobs dropped by the bounds since this tracker started (age or count). */
  evicted = 0;

  constructor(options: JobTrackerOptions = {}) {
    this.maxJobs = options.maxJobs ?? 10_000;
    this.keepMs = (options.keepJobs ?? 24) * 3_600_000;
    this.now = options.now ?? Date.now;
    this.onComplete = options.onComplete;
  }

  start(jid: string, minions: readonly string[]): void {
    this.prune();
    if (this.maxJobs > 0 && this.jobs.size >= this.maxJobs && !this.jobs.has(jid)) {
      // Map order is insertion order: the first idle job found is the oldest.
      const victim = [...this.jobs.values()].find((j) => j.collectors === 0);
      if (!victim) {
        throw new StateError(
          ErrorCodes.JOB_LIMIT,
          `the master holds max_jobs (${this.maxJobs}) jobs being collected; job ${jid.slice(0, 64)} refused`,
        );
      }
      this.jobs.delete(victim.jid);
      this.evicted++;
    }
    const job: Job = {
      jid,
      minions: new Set(minions),
      details: new Map(),
      complete: defer<void>(),
      started: this.now(),
      collectors: 0,
    };
    this.jobs.set(jid, job);
    if (job.minions.size === 0) job.complete.resolve();
  }

  /** Drops jobs older than `keep_jobs` that nobody is collecting. */
  prune(): number {
    if (!(this.keepMs > 0)) return 0;
    const cutoff = this.now() - this.keepMs;
    let dropped = 0;
    for (const job of this.jobs.values()) {
      if (job.started > cutoff) break; // insertion order = start order
      if (job.collectors > 0) continue;
      this.jobs.delete(job.jid);
      dropped++;
    }
    this.evicted += dropped;
    return dropped;
  }

  /** Records a return; returns false when no tracked job has that jid (Salt still fires the event). */
  record(jid: string, id: string, load: Dict): boolean {
    const job = this.jobs.get(jid);
    if (!job) return false;
    // A first return from a targeted minion is the only one that can complete the job.
    const first = job.minions.has(id) && !job.details.has(id);
    job.details.set(id, load);
    if (first && [...job.minions].every((m) => job.details.has(m))) {
      job.complete.resolve();
      this.onComplete?.(jid, job.minions.size, this.now() - job.started);
    }
    return true;
  }

  /** Resolves when every targeted minion returned, or when `signal` aborts; then forgets the job. */
  async collect(jid: string, signal: AbortSignal): Promise<JobResult> {
    const job = this.jobs.get(jid);
    if (!job) throw new StateError(ErrorCodes.UNKNOWN_JOB, `unknown job ${jid.slice(0, 64)}`);
    job.collectors++;
    try {
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
        void job.complete.promise.then(resolve);
      });
    } finally {
      job.collectors--;
    }
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
