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
    defaults: probe.params.parse({}) as Record<string, unknown>,
    params: zodToJsonSchema(probe.params),
  }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(probes, null, 2)}\n`);
    return ExitCode.Ready;
  }
  const indent = ' '.repeat(29);
  const lines = probes.map((probe) => `${probe.id.padEnd(28)} ${probe.title}\n${indent}sends: ${describeSends(probe.sends)}\n${indent}params: ${JSON.stringify(probe.defaults)}`);
  process.stdout.write(`${lines.join('\n')}\n${probes.length} probes\n`);
  return ExitCode.Ready;
}
