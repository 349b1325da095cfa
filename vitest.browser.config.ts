import { defineConfig } from 'vitest/config';

/** Browser end-to-end tests (Debian's Chromium driven by playwright-core): `pnpm test:browser`. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts', 'examples/**/*.browser.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
