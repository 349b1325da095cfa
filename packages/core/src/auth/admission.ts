/**
 * Admission control for `_auth` storms: at most `maxInFlight` sign-ins are worked on at once (key
 * store lookups, the private-key operations on the worker pool, the signed reply), and no more than
 * the master can answer within `maxWait` seconds at its measured sign-in rate (never fewer than
 * `MIN_IN_FLIGHT`); one more is answered at once with "busy, retry after N seconds" instead of
 * queueing without bound — or long enough for the minion to time out and resend (`auth_timeout`, 5 s).
 *
 * The delay hint spreads the refused minions over the time the master needs to serve them: each
 * refusal books the next free slot at the measured sign-in rate (completions per second, smoothed),
 * so a storm of 10,000 comes back at about the pace it can be served, plus a random
 * `retryDelay × [0.5, 1.5)` so that two refusals never name the same instant; capped at
 * `retryDelayMax`.
 */

export interface AdmissionOptions {
  /** Sign-ins worked on at once; one more is refused (Brine `auth_queue_max`; 0 = no bound). */
  maxInFlight: number;
  /**
   * Most seconds an admitted sign-in should wait at the measured rate (Brine `auth_queue_max_wait`;
   * 0 = the count bound alone). Keeps answers inside a minion's `auth_timeout` on a slow master.
   */
  maxWait?: number;
  /** Base of the delay hint, seconds (Brine `auth_retry_delay`). */
  retryDelay: number;
  /** Longest delay hint, seconds (Brine `auth_retry_delay_max`). */
  retryDelayMax: number;
  /** [0, 1) (tests). */
  random?: () => number;
  /** Clock in ms (tests). */
  now?: () => number;
}

export interface AdmissionStats {
  /** Sign-ins being worked on now. */
  inFlight: number;
  /** Highest `inFlight` seen. */
  peak: number;
  maxInFlight: number;
  /** The bound in force now (`maxInFlight`, or lower from `maxWait` at the measured rate); 0 = none. */
  limit: number;
  /** Sign-ins let in since start. */
  admitted: number;
  /** Sign-ins answered "busy, retry after" since start. */
  refused: number;
  /** Smoothed sign-ins completed per second (the rate the delay hints assume). */
  rate: number;
}

/** The wait bound never refuses below this many sign-ins in flight (a rate estimate may be stale). */
export const MIN_IN_FLIGHT = 16;

export class AuthAdmission {
  private inFlight = 0;
  private peak = 0;
  private admitted = 0;
  private refused = 0;
  private rate: number;
  private completedSince = 0;
  private sampleStart: number;
  private booked = 0;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: AdmissionOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.sampleStart = this.now();
    // Before anything completed: assume the queue drains in about one second.
    this.rate = Math.max(1, options.maxInFlight);
  }

  get bounded(): boolean {
    return this.options.maxInFlight > 0;
  }

  /** Lets one sign-in in (call `leave` when it is answered) or returns false: refuse it. */
  tryEnter(): boolean {
    if (this.bounded && this.inFlight >= this.limit()) {
      this.refused++;
      return false;
    }
    this.inFlight++;
    this.admitted++;
    if (this.inFlight > this.peak) this.peak = this.inFlight;
    return true;
  }

  /** Sign-ins let in at once now: the count bound, lowered to `rate × maxWait` (at least MIN_IN_FLIGHT). */
  limit(): number {
    const max = this.options.maxInFlight;
    const wait = this.options.maxWait ?? 0;
    if (wait <= 0) return max;
    return Math.min(max, Math.max(MIN_IN_FLIGHT, Math.floor(this.rate * wait)));
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.completedSince++;
    const now = this.now();
    const elapsed = now - this.sampleStart;
    if (elapsed >= 1000) {
      const measured = (this.completedSince * 1000) / elapsed;
      // A sample over an idle stretch says nothing about capacity: only raise or smooth from busy ones.
      this.rate = this.inFlight > 0 || measured > this.rate ? 0.5 * this.rate + 0.5 * measured : this.rate;
      this.rate = Math.max(1, this.rate);
      this.completedSince = 0;
      this.sampleStart = now;
    }
  }

  /** A refusal that was not counted by `tryEnter` (the worker pool's own queue was full). */
  countRefusal(): void {
    this.refused++;
  }

  /** The delay hint for a refused sign-in, seconds (books a slot: call once per refusal). */
  retryAfter(): number {
    const now = this.now();
    // Bookings beyond the cap would only pile up: they all get the cap.
    this.booked = Math.min(Math.max(this.booked, now) + 1000 / this.rate, now + this.options.retryDelayMax * 1000);
    const backlog = (this.booked - now) / 1000;
    const jitter = this.options.retryDelay * (0.5 + this.random());
    const hint = Math.min(this.options.retryDelayMax, backlog + jitter);
    return Math.round(hint * 1000) / 1000;
  }

  stats(): AdmissionStats {
    return {
      inFlight: this.inFlight,
      peak: this.peak,
      maxInFlight: this.options.maxInFlight,
      limit: this.bounded ? this.limit() : 0,
      admitted: this.admitted,
      refused: this.refused,
      rate: Math.round(this.rate * 10) / 10,
    };
  }
}
