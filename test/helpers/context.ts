import { setMaxListeners } from 'node:events';
import { FactStore } from '../../src/facts/store.js';
import type { ProbeContext, RunOptions } from '../../src/engine/types.js';
import { buildTarget } from '../../src/target/target.js';
import { Redactor } from '../../src/util/redact.js';

/** A real probe context over the given env values (no mocks: probes still do real I/O). */
export function makeContext(env: Record<string, string>, options: Partial<RunOptions> = {}): ProbeContext & { close(): Promise<void> } {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // as the runner does: many concurrent requests share the run's signal
  const runOptions: RunOptions = { timeoutMs: 10_000, insecure: false, ca: [], ...options };
  const facts = new FactStore(controller.signal, runOptions.timeoutMs);
  const target = buildTarget({ envFile: 'test.env', fileValues: new Map(Object.entries(env)) }, new Redactor());
  return {
    target,
    facts,
    signal: controller.signal,
    options: runOptions,
    entry: { id: 'test.entry', severity: 'high' },
    close: () => facts.close(),
  };
}
