/** SIGINT/SIGTERM as an AbortSignal: the first one asks for a clean stop, a second one exits at once. */
export interface Shutdown {
  readonly signal: AbortSignal;
  /** Resolves with the signal name when a stop is asked for. */
  readonly requested: Promise<string>;
  dispose(): void;
}

export function onShutdown(onForced: (name: string) => void = () => process.exit(130)): Shutdown {
  const controller = new AbortController();
  let resolveRequested!: (name: string) => void;
  const requested = new Promise<string>((resolve) => (resolveRequested = resolve));
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) return onForced(name);
    controller.abort(new Error(`stopped by ${name}`));
    resolveRequested(name);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    requested,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export interface ServiceSignalHandlers {
  /** SIGHUP: reopen log files (log rotation). */
  reload(): void | Promise<void>;
  /** SIGUSR1 / SIGUSR2: never fatal, never Node's inspector; reported through this. */
  info(name: NodeJS.Signals): void;
}

/**
 * The signals a daemon answers besides SIGINT/SIGTERM. Without a listener SIGHUP ends the
 * process (exit 129) and SIGUSR1 opens Node's inspector on 127.0.0.1:9229; a listener prevents both.
 */
export function onServiceSignals(handlers: ServiceSignalHandlers): () => void {
  const hup = (): void => void handlers.reload();
  const usr = (name: NodeJS.Signals): void => handlers.info(name);
  process.on('SIGHUP', hup);
  process.on('SIGUSR1', usr);
  process.on('SIGUSR2', usr);
  return () => {
    process.off('SIGHUP', hup);
    process.off('SIGUSR1', usr);
    process.off('SIGUSR2', usr);
  };
}
