/**
 * The worker side of a {@link WorkerPool}: a worker module calls `serveWorker(init)` once. `init`
 * builds the op handlers (it may be async: load a backend, read `workerData`); the worker reports
 * `ready`, or `init-error` and is then terminated by the pool. Every op answers with its value or
 * its error ({@link SerializedError}); `setup` ops (see `WorkerPool.addSetup`) finish before any
 * later message on the same worker starts, tasks otherwise run as they arrive.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { StateError, ErrorCodes, ConfigError, ProtocolError } from '@brine/contracts';
import { serializeError, THREAD_ID_OP, type FromWorker, type ToWorker } from './worker-protocol.js';

/** An op handler: arguments as sent by `WorkerPool.run`, result cloned back to the caller. */
export type WorkerHandler = (...args: never[]) => unknown;
export type WorkerHandlers = Readonly<Record<string, WorkerHandler>>;

export function serveWorker(init: () => WorkerHandlers | Promise<WorkerHandlers>): void {
  const port = parentPort;
  if (port === null) {
    throw new StateError(ErrorCodes.INVALID_STATE, 'serveWorker() must run in a worker thread');
  }
  const send = (message: FromWorker): void => port.postMessage(message);
  const handlersReady = Promise.resolve().then(init);
  // Chain of setup ops: a message waits for every setup that arrived before it.
  let barrier: Promise<unknown> = handlersReady.catch(() => undefined);

  handlersReady.then(
    () => send({ t: 'ready' }),
    (error: unknown) => send({ t: 'init-error', error: serializeError(error) }),
  );

  const execute = async (op: string, args: readonly unknown[]): Promise<unknown> => {
    if (op === THREAD_ID_OP) return threadId;
    const handlers = await handlersReady;
    const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined;
    if (handler === undefined) throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `Unknown worker op "${op}"`);
    return (handler as (...a: readonly unknown[]) => unknown)(...args);
  };

  const reply = (id: number, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): void => {
    if (!outcome.ok) return send({ t: 'done', id, ok: false, error: serializeError(outcome.error) });
    try {
      send({ t: 'done', id, ok: true, value: outcome.value });
    } catch (error) {
      const unclonable = new ProtocolError(ErrorCodes.ENCODE, `Worker result cannot be cloned: ${String(error)}`);
      send({ t: 'done', id, ok: false, error: serializeError(unclonable) });
    }
  };

  const run = (message: ToWorker): Promise<void> =>
    execute(message.op, message.args).then(
      (value) => reply(message.id, { ok: true, value }),
      (error: unknown) => reply(message.id, { ok: false, error }),
    );

  port.on('message', (message: ToWorker) => {
    if (message.t === 'setup') barrier = barrier.then(() => run(message));
    else void barrier.then(() => run(message));
  });
}
