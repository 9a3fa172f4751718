import { loadCatalog } from '../../catalog/load.js';
import { loadRegistry } from '../../engine/registry.js';
import { selectEntries } from '../../engine/select.js';
import { colorsEnabled, makeColors } from '../../util/colors.js';
import { ExitCode } from '../../util/errors.js';
import { groupBy } from '../../report/labels.js';
import { toSelection, type GlobalOptions, type SelectionOptions } from '../options.js';

export async function listCommand(options: GlobalOptions & SelectionOptions & { json: boolean }): Promise<number> {
  const { catalog } = await loadCatalog(options.catalog, await loadRegistry());
  const entries = selectEntries(catalog.entries, toSelection(options));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries.map(({ id, title, phase, section, cadence, severity, kind, probe, params, manual, attesters, source }) => ({ id, title, phase, section, cadence, severity, kind, probe: probe ?? null, params: params ?? {}, manual: Boolean(manual), ...(manual ? { attesters: attesters ?? [] } : {}), source: source ?? null })), null, 2)}\n`);
    return ExitCode.Ready;
  }
  const colors = makeColors(colorsEnabled(process.stdout, options.color));
  const lines: string[] = [];
  for (const [phase, list] of groupBy(entries, (entry) => entry.phase)) {
    lines.push(colors.bold(phase));
    for (const entry of list) {
      const how = entry.probe ? colors.cyan(entry.probe) : colors.dim('manual');
      const who = entry.manual ? colors.dim(`  attested by: ${entry.attesters?.length ? entry.attesters.join(' or ') : 'any listed signer'}`) : '';
      lines.push(`  ${entry.severity.padEnd(8)} ${entry.cadence.padEnd(11)} ${how.padEnd(entry.probe ? 30 : 30)} ${entry.id}${who}`);
    }
  }
  const automated = entries.filter((entry) => entry.probe).length;
  lines.push('', `${entries.length} entries: ${automated} automated, ${entries.length - automated} manual`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.Ready;
}
