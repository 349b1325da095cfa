import { TypedEmitter, type RequestServerStats } from '@brine/contracts';
import type { RequestOutcome } from '../channel/req-server-channel.js';

/**
 * One request the master's request channel answered. `cmd` is bounded: `_auth`, a command this
 * master registered, or `other` (an unknown command, or a request refused before its command was
 * known), so a peer cannot grow the label set.
 */
export type RequestEvent = RequestOutcome;

/** A job handed to the publish channel. */
export interface PublishEvent {
  jid: string;
  fun: string;
  /** Minions the target selected. */
  minions: number;
  /** Bytes of the signed, encrypted payload given to the transport (once, whatever the fan-out). */
  bytes: number;
  /** From `publish()` to the payload queued for every subscriber (sign, encrypt, fan-out), in ms. */
  durationMs: number;
}

/** A published job whose every targeted minion returned. */
export interface JobCompleteEvent {
  jid: string;
  minions: number;
  /** From the job's publish to its last return, in ms. */
  durationMs: number;
}

export interface MasterTelemetryEvents {
  request: [event: RequestEvent];
  publish: [event: PublishEvent];
  jobComplete: [event: JobCompleteEvent];
}

/** A point-in-time view of a master, for metrics and health checks (`Master.stats()`). */
export interface MasterStats {
  /** `new`, `starting`, `running` (listeners bound, keys loaded) or `closed`. */
  state: 'new' | 'starting' | 'running' | 'closed';
  /** The transport's name (`zeromq`, `tcp`, `ws`, or a package's). */
  transport: string;
  /** Minions seen alive since the last restart or key change. */
  connectedMinions: number;
  /** Connections on the publish server. */
  publishSubscribers: number;
  /** `_auth` requests being handled now (the handshake queue as the channel sees it). */
  handshakesInFlight: number;
  /** Jobs tracked until collected, and those the `max_jobs`/`keep_jobs` bounds dropped. */
  jobs: number;
  jobsEvicted: number;
  /** What the request server holds and has refused, when its transport keeps stats. */
  requestServer?: RequestServerStats;
}

/**
 * What a master reports as it runs, for metrics: plain typed events, so core does not depend on
 * any metrics library (`@brine/core/metrics` turns them into Prometheus series). Emitting costs
 * nothing when nobody listens.
 */
export class MasterTelemetry extends TypedEmitter<MasterTelemetryEvents> {}
