import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite strips types from .ts/.mts only; src/cli/code-cache.cts and src/util/cache-files.cts are
  // CommonJS for bin/ (which loads them before the bundle) and TypeScript like the rest.
  esbuild: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    // No test may send traffic beyond loopback: see test/helpers/loopback-guard.cjs.
    setupFiles: ['test/helpers/loopback-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers started by tests (PostgreSQL, Redis, stand-ins) are per file; two cores, so two files at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
