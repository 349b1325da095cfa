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
