import type { Logger } from '../logger.js';

/** Salt's reconnect options, in milliseconds. */
export interface ReconnectOptions {
  /** `recon_default`: base delay. Default 1000. */
  reconDefault?: number;
  /** `recon_max`: the delay grows up to this. Default 10000. */
  reconMax?: number;
  /** `recon_randomize`: pick the first delay at random in [reconDefault, reconDefault + reconMax]. Default true. */
  reconRandomize?: boolean;
}

export const DEFAULT_RECONNECT: Required<ReconnectOptions> = {
  reconDefault: 1000,
  reconMax: 10000,
  reconRandomize: true,
};

/**
 * Salt's reconnect schedule: a first delay drawn once per client from
 * U[recon_default, recon_default + recon_max] (spreading a fleet's reconnects after a master restart),
 * then doubling on each failed attempt up to recon_max, never below the first delay (libzmq ignores a
 * maximum smaller than the interval). A successful connection resets the schedule.
 */
export class ReconnectPolicy {
  readonly options: Required<ReconnectOptions>;
  /** The randomized base delay (Salt's `recon_delay`). */
  readonly baseDelay: number;
  private attempt = 0;

  constructor(options: ReconnectOptions = {}, logger?: Logger, random: () => number = Math.random) {
    const o = { ...DEFAULT_RECONNECT, ...definedOnly(options) };
    if (!(o.reconDefault >= 0) || !(o.reconMax >= 0)) throw new RangeError('reconnect delays must be >= 0');
    this.options = o;
    if (o.reconRandomize) {
      const lo = o.reconDefault;
      const hi = o.reconDefault + o.reconMax;
      this.baseDelay = lo + Math.floor(random() * (hi - lo + 1));
      // Salt logs the drawn delay and delay + recon_max (salt/transport/zeromq.py), not the range it drew from.
      logger?.debug(
        `Generated random reconnect delay between '${this.baseDelay}ms' and '${this.baseDelay + o.reconMax}ms' (${this.baseDelay})`,
      );
    } else {
      this.baseDelay = o.reconDefault;
    }
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const d = Math.max(this.baseDelay, Math.min(this.baseDelay * 2 ** this.attempt, this.options.reconMax));
    this.attempt = Math.min(this.attempt + 1, 30);
    return d;
  }

  /** Call after a successful connection. */
  reset(): void {
    this.attempt = 0;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
