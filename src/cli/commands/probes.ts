import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { loadRegistry } from '../../engine/registry.js';
import { describeSends } from '../../engine/types.js';
import { ExitCode } from '../../util/errors.js';

export async function probesCommand(options: { json: boolean }): Promise<number> {
  const registry = await loadRegistry();
  const probes = [...registry.values()].map((probe) => ({
    id: probe.id,
    title: probe.title,
    description: probe.description,
    sends: probe.sends,
    // What --max-requests counts, with the default params: predictable before a run.
    ...(probe.deliberate ? { deliberate: { requests: probe.deliberate.requests, per: probe.deliberate.per } } : {}),
    sdks: probe.sdks ?? [],
    defaults: defaultsOf(probe.params),
    params: zodToJsonSchema(probe.params),
  }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(probes, null, 2)}\n`);
    return ExitCode.Ready;
  }
  const indent = ' '.repeat(29);
  const lines = probes.map((probe) => `${probe.id.padEnd(28)} ${probe.title}\n${indent}sends: ${describeSends(probe.sends)}\n${probe.deliberate ? `${indent}deliberate: ${probe.deliberate.requests} requests per ${probe.deliberate.per} (counted by --max-requests)\n` : ''}${indent}params: ${JSON.stringify(probe.defaults)}`);
  process.stdout.write(`${lines.join('\n')}\n${probes.length} probes\n`);
  return ExitCode.Ready;
}

/** Each param's default; a param without one (tcp.port's `port`) is shown as required. */
function defaultsOf(params: z.ZodTypeAny): Record<string, unknown> {
  const whole = params.safeParse({});
  if (whole.success) return whole.data as Record<string, unknown>;
  if (!(params instanceof z.ZodObject)) return {};
  return Object.fromEntries(
    Object.entries(params.shape as Record<string, z.ZodTypeAny>).map(([key, schema]) => {
      const one = schema.safeParse(undefined);
      return [key, one.success ? one.data : '<required>'];
    }),
  );
}
