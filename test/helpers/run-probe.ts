import { setMaxListeners } from 'node:events';
import type { z } from 'zod';
import type { Finding, Probe, RunOptions } from '../../src/engine/types.js';
import { makeContext } from './context.js';

/** Finds a probe by id in an area's registry, or throws. */
export function probeById(probes: readonly Probe[], id: string): Probe {
  const found = probes.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no probe ${id}`);
  return found;
}

/** Runs one probe through its real network path in a fresh run context (params parsed with defaults), then closes the context. */
export async function runProbe(probe: Probe, env: Record<string, string>, params: Record<string, unknown> = {}, options: Partial<RunOptions> = {}): Promise<Finding> {
  const ctx = makeContext(env, options);
  setMaxListeners(0, ctx.signal); // as the runner does for its run signal
  try {
    return await probe.run(ctx, (probe.params as z.ZodTypeAny).parse(params));
  } finally {
    await ctx.close();
  }
}

/** Runs several probes concurrently in one run context (shared facts, one signal each as under the runner). */
export async function runTogether(probes: readonly Probe[], env: Record<string, string>, params: Record<string, unknown> = {}, options: Partial<RunOptions> = {}): Promise<{ findings: Finding[]; contacts: Map<string, number> }> {
  const ctx = makeContext(env, options);
  setMaxListeners(0, ctx.signal);
  try {
    const findings = await Promise.all(probes.map((probe) => probe.run({ ...ctx, signal: new AbortController().signal }, (probe.params as z.ZodTypeAny).parse(params))));
    return { findings, contacts: ctx.facts.contacts };
  } finally {
    await ctx.close();
  }
}
