import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      // Pure rules: no database, no server, so no global setup (`vitest run --project unit` takes seconds).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // End-to-end: every file gets its own copy of a template database migrated once per run.
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/unit/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
