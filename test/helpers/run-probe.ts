import type { Finding, Probe, RunOptions } from '../../src/engine/types.js';
import { makeContext } from './context.js';

/** Runs one probe through its params schema in a fresh real context, and closes the context's facts. */
export async function runProbe(probe: Probe, env: Record<string, string>, params: Record<string, unknown> = {}, options: Partial<RunOptions> = {}): Promise<Finding> {
  const ctx = makeContext(env, options);
  try {
    return await probe.run(ctx, probe.params.parse(params));
  } finally {
    await ctx.close();
  }
}
