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

export interface SilentServer {
  port: number;
  /** The connections accepted so far (a test can wait for one to know a run is under way). */
  sockets: readonly Socket[];
  close(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that accepts connections and never answers (a hung server). */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return {
    port: (silent.address() as AddressInfo).port,
    sockets,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    },
  };
}

/** Runs `use` with a silent server's port, closing it afterwards. */
export async function withSilentPort<T>(use: (port: number) => Promise<T>): Promise<T> {
  const silent = await startSilentServer();
  try {
    return await use(silent.port);
  } finally {
    await silent.close();
  }
}
