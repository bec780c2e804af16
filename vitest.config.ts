import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
          environment: 'node',
          // A bound against a hang, not a speed check: property, fuzz and pty tests take several seconds on
          // a loaded 2-core machine (speeds are bench figures).
          testTimeout: 60_000,
        },
      },
      {
        // Real Chromium and Firefox (found by src/browsers) with the built extension: see tests/e2e/harness.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
