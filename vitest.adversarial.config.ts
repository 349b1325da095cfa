import { defineConfig } from 'vitest/config';

// The adversarial suite (test/adversarial/README.md): real `brine master` / `brine minion`
// processes attacked from raw sockets. One file per transport; the three run at once, the cases of
// a file one after the other against that file's master.
export default defineConfig({
  test: {
    include: ['test/adversarial/**/*.test.ts'],
    globalSetup: ['test/adversarial/harness/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 3,
    fileParallelism: true,
    reporters: ['default'],
  },
});
