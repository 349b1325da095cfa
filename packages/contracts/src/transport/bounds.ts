import { ErrorCodes, TransportError, type BrineError } from '../errors/index.js';
import type { Logger } from '../logger.js';
import type { RequestServerStats } from './types.js';

const BOUND_REFUSALS: ReadonlySet<string> = new Set([
  ErrorCodes.MESSAGE_TOO_LARGE,
  ErrorCodes.MESSAGE_DEADLINE,
  ErrorCodes.UNAUTHENTICATED_TIMEOUT,
  ErrorCodes.OVER_BUDGET,
  ErrorCodes.SLOW_READER,
  ErrorCodes.TOO_MANY_CONNECTIONS,
  ErrorCodes.IDLE_TIMEOUT,
  ErrorCodes.TOO_MANY_REFUSALS,
]);

/**
 * Whether `code` is a server bound refusing a peer: such errors are counted in `stats().refused`
 * and logged rate-limited, since a flood must not become a flood of log lines.
 */
export function isBoundRefusal(code: string): boolean {
  return BOUND_REFUSALS.has(code);
}

/**
 * One server's aggregate inbound budget: bytes of partially received messages, claimed by their
 * declared length, across all connections. Each connection holds one claim it moves up or down.
 */
export class InboundBudget {
  private used = 0;
  private peak = 0;

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.used;
  }

  get peakBytes(): number {
    return this.peak;
  }

  /**
   * Moves a connection's claim from `from` to `to` bytes. Returns false (claim unchanged) when
   * growing it would exceed the limit.
   */
  move(from: number, to: number): boolean {
    if (to > from && this.used - from + to > this.limit) return false;
    this.used += to - from;
    if (this.used > this.peak) this.peak = this.used;
    return true;
  }

  overBudgetError(claim: number, label: string): BrineError {
    return new TransportError(
      ErrorCodes.OVER_BUDGET,
      `${label}: a message of ${claim} bytes does not fit the inbound budget (${this.used} of ${this.limit} bytes held)`,
      { details: { claim, used: this.used, inboundBudget: this.limit } },
    );
  }
}

/** Logs at most one line per key per `interval` ms, with the count of what it left out. */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; skipped: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly interval = 10_000,
  ) {}

  warning(key: string, message: string, error?: BrineError): void {
    const now = Date.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.interval) {
      entry.skipped++;
      return;
    }
    const more = entry && entry.skipped > 0 ? ` (${entry.skipped} more like it since the last line)` : '';
    this.last.set(key, { at: now, skipped: 0 });
    this.logger.warning(`${message}${more}`, error);
  }
}

/** A socket's byte counts (`net.Socket` has both). */
export interface WireCounts {
  readonly bytesRead?: number;
  readonly bytesWritten?: number;
}

/** Counters every request server keeps for {@link RequestServerStats}. */
export class ServerCounters {
  connections = 0;
  unauthenticated = 0;
  inFlight = 0;
  private outbound = 0;
  private peakOutbound = 0;
  private readonly refusedBy: Record<string, number> = {};
  private readonly sockets = new Set<WireCounts>();
  private receivedTotal = 0;
  private sentTotal = 0;

  /** Counts a connection's socket bytes (read live, kept when it closes); returns the function to call on close. */
  trackWire(socket: WireCounts): () => void {
    this.sockets.add(socket);
    return () => {
      if (!this.sockets.delete(socket)) return;
      this.receivedTotal += socket.bytesRead ?? 0;
      this.sentTotal += socket.bytesWritten ?? 0;
    };
  }

  /** Bytes received or sent without a socket to read them from (ZeroMQ frames). */
  received(bytes: number): void {
    this.receivedTotal += bytes;
  }

  sent(bytes: number): void {
    this.sentTotal += bytes;
  }

  constructor(readonly budget: InboundBudget) {}

  refuse(code: string): void {
    this.refusedBy[code] = (this.refusedBy[code] ?? 0) + 1;
  }

  moveOutbound(from: number, to: number): void {
    this.outbound += to - from;
    if (this.outbound > this.peakOutbound) this.peakOutbound = this.outbound;
  }

  snapshot(): RequestServerStats {
    return {
      connections: this.connections,
      unauthenticated: this.unauthenticated,
      inboundBytes: this.budget.bytes,
      peakInboundBytes: this.budget.peakBytes,
      outboundBytes: this.outbound,
      peakOutboundBytes: this.peakOutbound,
      inFlight: this.inFlight,
      refused: { ...this.refusedBy },
      receivedBytes: this.receivedTotal + sum(this.sockets, (socket) => socket.bytesRead ?? 0),
      sentBytes: this.sentTotal + sum(this.sockets, (socket) => socket.bytesWritten ?? 0),
    };
  }
}

function sum<T>(items: Iterable<T>, value: (item: T) => number): number {
  let n = 0;
  for (const item of items) n += value(item);
  return n;
}
