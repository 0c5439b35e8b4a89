import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/core/**/*.test.ts', 'test/electron-unit/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Many tests wait on spawned CLI processes and loopback servers, so a third worker keeps both cores busy.
    maxWorkers: 3,
    // Spawned-CLI tests run several tsx processes; on a loaded 2-core machine 60 s was too tight.
    testTimeout: 150_000,
    hookTimeout: 60_000,
  },
});
