import { afterAll, beforeAll } from 'vitest';

/**
 * Setup and teardown around a whole suite, as libp2p's compliance tests take them: start what the
 * implementation needs (a broker, a fixture server) before the first case, stop it after the last.
 */
export interface SuiteHooks {
  setup?: () => unknown;
  teardown?: () => unknown;
}

export function registerHooks(hooks: SuiteHooks): void {
  if (hooks.setup) beforeAll(async () => void (await hooks.setup?.()), 120_000);
  if (hooks.teardown) afterAll(async () => void (await hooks.teardown?.()), 120_000);
}
