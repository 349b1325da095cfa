import { defineConfig } from 'vitest/config';

// Interop tests against real Salt daemons (test/interop/README.md). Kept apart from the unit
// suite: they need the Salt venvs (scripts/setup-salt.sh, run by the global setup) and take seconds each.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    globalSetup: ['test/interop/harness/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // Each test starts its own master + minion on fresh ports. The tests of a file run at once;
    // files run one after the other, at most 5 tests at once (8 salt-masters at once overload a
    // 2-core machine).
    maxConcurrency: 5,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
  },
});
