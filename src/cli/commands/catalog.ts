import { readFile, writeFile } from 'node:fs/promises';
import { readChecklist } from '../../checklist/read.js';
import { catalogFromText, validateCatalog } from '../../catalog/load.js';
import { syncCatalog, type CatalogChange, type SyncResult } from '../../catalog/sync.js';
import { loadRegistry } from '../../engine/registry.js';
import { ExitCode, InputError, at, errorMessage } from '../../util/errors.js';
import type { GlobalOptions } from '../options.js';

async function readExisting(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(at(file, undefined, `cannot read catalog: ${errorMessage(error)}`));
  }
}

async function computeSync(options: GlobalOptions & { adoptProbes?: boolean }): Promise<{ result: SyncResult; existing: string | undefined }> {
  const registry = await loadRegistry();
  const checklist = await readChecklist(options.checklist);
  const existing = await readExisting(options.catalog);
  const result = syncCatalog(checklist, {
    catalogFile: options.catalog,
    checklistRef: options.checklist,
    existing,
    probes: [...registry.values()],
    adoptProbes: Boolean(options.adoptProbes),
  });
  return { result, existing };
}

function describe(change: CatalogChange): string {
  return `  ${change.kind.padEnd(8)} ${change.id}: ${change.detail}`;
}

/** Each change on its own line, except that a long run of shifted source lines is summarised. */
function describeAll(changes: readonly CatalogChange[]): string[] {
  const moved = changes.filter((change) => change.kind === 'moved');
  const shown = moved.length > 10 ? changes.filter((change) => change.kind !== 'moved') : changes;
  const lines = shown.map(describe);
  if (shown.length !== changes.length) lines.push(`  moved    ${moved.length} entries' source lines shifted (first: ${moved[0]?.id}: ${moved[0]?.detail})`);
  return lines;
}

export async function catalogSyncCommand(options: GlobalOptions & { adoptProbes?: boolean }): Promise<number> {
  const { result, existing } = await computeSync(options);
  if (existing !== result.text) {
    // Validate before writing, from memory, so a sync never leaves a catalog that `run` would reject.
    catalogFromText(result.text, options.catalog, await loadRegistry());
    await writeFile(options.catalog, result.text);
  }
  const counts = new Map<string, number>();
  for (const change of result.changes) counts.set(change.kind, (counts.get(change.kind) ?? 0) + 1);
  if (result.changes.length === 0) process.stdout.write(`${options.catalog} is in sync with ${options.checklist}\n`);
  else process.stdout.write(`${existing === undefined ? 'created' : 'updated'} ${options.catalog}: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')}\n`);
  const vanished = [...result.changes.filter((c) => c.kind === 'vanished'), ...result.stillVanished];
  if (vanished.length) {
    process.stdout.write(`Items gone from the checklist (kept in the catalog, marked vanished; delete them by hand once reviewed):\n${vanished.map(describe).join('\n')}\n`);
  }
  const others = result.changes.filter((c) => c.kind !== 'vanished' && !(existing === undefined && c.kind === 'added'));
  for (const line of describeAll(others)) process.stdout.write(`${line}\n`);
  return ExitCode.Ready;
}

export async function catalogCheckCommand(options: GlobalOptions): Promise<number> {
  const { result, existing } = await computeSync(options);
  if (existing === undefined) throw new InputError(at(options.catalog, undefined, 'catalog does not exist (run `bazaarhub-check catalog sync`)'));
  const { problems } = validateCatalog(existing, options.catalog, await loadRegistry());
  if (problems.length) {
    // Every problem, one line each (a load stops at the first).
    for (const problem of problems) process.stderr.write(`bazaarhub-check: ${at(options.catalog, problem.line, problem.message)}\n`);
    process.stderr.write(`bazaarhub-check: ${options.catalog}: ${problems.length} problem(s); \`run\` and \`list\` refuse this catalog\n`);
    return ExitCode.InputError;
  }
  const drift = [...result.changes, ...result.stillVanished];
  if (drift.length === 0) {
    process.stdout.write(`${options.catalog} agrees with ${options.checklist}\n`);
    return ExitCode.Ready;
  }
  process.stdout.write(`${options.catalog} has drifted from ${options.checklist} (${drift.length} item(s)); run \`bazaarhub-check catalog sync\`:\n${describeAll(drift).join('\n')}\n`);
  return ExitCode.NotReady;
}

export async function catalogSchemaCommand(): Promise<number> {
  const { catalogJsonSchema } = await import('../../catalog/json-schema.js');
  process.stdout.write(`${JSON.stringify(catalogJsonSchema((await loadRegistry()).values()), null, 2)}\n`);
  return ExitCode.Ready;
}
