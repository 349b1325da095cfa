import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Thrown by a check to stop waiting at once (e.g. the daemon being waited for has exited). */
export class StopWaiting extends Error {}

export interface WaitOptions {
  /** Total time allowed, in ms. */
  timeout: number;
  /** Time between two checks, in ms (default 100). */
  interval?: number;
  /** Said in the error when the deadline passes. */
  what: string;
}

/**
 * Polls `check` until it returns a value other than `undefined`/`false`, or throws when the
 * deadline passes. This waits for a condition; the interval only paces the polling.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + opts.timeout;
  const interval = opts.interval ?? 100;
  let lastError: unknown;
  while (true) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${opts.timeout} ms waiting for ${opts.what}${suffix}`);
    }
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}

/** Resolves true if a TCP connection to host:port is accepted within `timeout` ms. */
export function canConnect(host: string, port: number, timeout = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeout, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Waits until every port accepts TCP connections on host. `guard` runs before each check and may
 * throw StopWaiting (e.g. when the daemon has exited).
 */
export async function waitForPorts(
  host: string,
  ports: number[],
  timeout: number,
  what: string,
  guard?: () => void,
): Promise<void> {
  await waitFor(
    async () => {
      guard?.();
      return (await Promise.all(ports.map((p) => canConnect(host, p)))).every(Boolean);
    },
    { timeout, interval: 100, what },
  );
}
