import { DEFAULT_BOUNDS, type TransportOptions } from '@brine/contracts';

/** How the master's connection caps were fitted under its file-descriptor limit. */
export interface FdBudget {
  /** The limit planned with: Salt's `max_open_files`, lowered to the process's soft RLIMIT_NOFILE when known. */
  limit: number;
  /** Descriptors kept out of the connection caps (control socket, key store, logs, followers). */
  reserve: number;
  /** The resulting `maxConnections` per listener (request and publish share what is left). */
  perListener: number;
  /** Whether the configured caps were lowered to fit. */
  lowered: boolean;
}

/**
 * Fits `maxConnections` and `maxUnauthenticatedConnections` under the file-descriptor limit: the
 * request and publish listeners together may hold at most `limit - reserve` connections, so a
 * connection flood leaves descriptors for the control socket and the key store. Returns the
 * options to use and the budget (undefined when no limit is known).
 */
export function fitConnectionsToFds(
  options: TransportOptions,
  limits: { maxOpenFiles: number; softLimit: number | undefined; reserve: number; listeners?: number },
): { options: TransportOptions; budget: FdBudget | undefined } {
  const candidates = [limits.maxOpenFiles, limits.softLimit].filter(
    (n): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0,
  );
  if (candidates.length === 0) return { options, budget: undefined };
  const limit = Math.min(...candidates);
  const reserve = Math.max(0, limits.reserve);
  const perListener = Math.max(1, Math.floor((limit - reserve) / (limits.listeners ?? 2)));
  const maxConnections = options.maxConnections ?? DEFAULT_BOUNDS.maxConnections;
  const maxUnauth = options.maxUnauthenticatedConnections ?? DEFAULT_BOUNDS.maxUnauthenticatedConnections;
  const lowered = maxConnections > perListener || maxUnauth > perListener;
  const fitted: TransportOptions = lowered
    ? {
        ...options,
        maxConnections: Math.min(maxConnections, perListener),
        maxUnauthenticatedConnections: Math.min(maxUnauth, perListener),
      }
    : options;
  return { options: fitted, budget: { limit, reserve, perListener: Math.min(maxConnections, perListener), lowered } };
}
