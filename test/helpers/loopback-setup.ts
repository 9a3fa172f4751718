import { createRequire } from 'node:module';

// Loaded before every test file (vitest setupFiles): patch node:dns and node:net in this worker.
createRequire(import.meta.url)('./loopback-guard.cjs');
