import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { z } from 'zod';
import type { Finding, Probe, RunOptions } from '../../src/engine/types.js';
import { makeContext } from './context.js';

/** Finds a probe by id in an area's registry, or throws. */
export function probeById(probes: readonly Probe[], id: string): Probe {
  const found = probes.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no probe ${id}`);
  return found;
}

/** Runs several probes concurrently in one run context: shared facts, and a signal of its own for each probe, as under the runner. */
export async function runTogether(probes: readonly Probe[], env: Record<string, string>, params: Record<string, unknown> = {}, options: Partial<RunOptions> = {}): Promise<{ findings: Finding[]; contacts: Map<string, number> }> {
  const ctx = makeContext(env, options);
  try {
    const findings = await Promise.all(probes.map((probe) => probe.run({ ...ctx, signal: new AbortController().signal }, (probe.params as z.ZodTypeAny).parse(params))));
    return { findings, contacts: ctx.facts.contacts };
  } finally {
    await ctx.close();
  }
}

/** Runs `use` with a TCP port on 127.0.0.1 that accepts connections and never answers (a hung server). */
export async function withSilentPort<T>(use: (port: number) => Promise<T>): Promise<T> {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    return await use((silent.address() as AddressInfo).port);
  } finally {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => silent.close(resolve));
  }
}
