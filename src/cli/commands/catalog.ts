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

export interface SyncFlags extends GlobalOptions {
  adoptProbes?: boolean;
  /** `OLD=NEW` pairs (repeatable, comma-separated). */
  rename?: string[];
  prune?: boolean;
}

function parseRenames(values: readonly string[] = []): Map<string, string> {
  const renames = new Map<string, string>();
  for (const value of values) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(value.trim());
    if (!match) throw new InputError(`--rename ${value}: expected OLD-ID=NEW-ID`);
    renames.set(match[1] as string, match[2] as string);
  }
  return renames;
}

async function computeSync(options: SyncFlags, renames = parseRenames(options.rename)): Promise<{ result: SyncResult; existing: string | undefined }> {
  const registry = await loadRegistry();
  const checklist = await readChecklist(options.checklist);
  const existing = await readExisting(options.catalog);
  const result = syncCatalog(checklist, {
    catalogFile: options.catalog,
    checklistRef: options.checklist,
    existing,
    probes: [...registry.values()],
    adoptProbes: Boolean(options.adoptProbes),
    renames,
    prune: Boolean(options.prune),
  });
  return { result, existing };
}

function describe(change: CatalogChange): string {
  if (change.kind === 'renamed') return `  renamed: ${change.detail}`;
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

/** Vanished entries and possible renames, worded the same by `sync` and `check`. */
function describeVanished(result: SyncResult, newlyVanished: readonly CatalogChange[]): string[] {
  const lines: string[] = [];
  const vanished = [...newlyVanished, ...result.stillVanished];
  if (vanished.length) lines.push('Items gone from the checklist (kept in the catalog, marked vanished):', ...vanished.map(describe));
  for (const rename of result.possibleRenames) lines.push(`  possible rename: ${rename.from} → ${rename.to} (${rename.why}); both kept: settle it with \`catalog sync --rename ${rename.from}=${rename.to}\``);
  for (const kept of result.keptForEdits) lines.push(`  kept     ${kept.id}: vanished but has hand edits (${kept.edits.join(', ')}); delete it by hand once reviewed`);
  return lines;
}

/** On a terminal, asks about each possible rename whose new item sync is about to add. */
async function askRenames(result: SyncResult, renames: Map<string, string>): Promise<boolean> {
  const open = result.possibleRenames.filter((rename) => result.changes.some((change) => change.kind === 'added' && change.id === rename.to));
  if (!open.length || !process.stdin.isTTY || !process.stdout.isTTY || process.env.CI) return false;
  const { confirm } = await import('@inquirer/prompts');
  let any = false;
  for (const rename of open) {
    if (await confirm({ message: `Is ${rename.to} the reworded ${rename.from} (${rename.why})? Its id, severity, params, remediation, tags and comments move to the new text`, default: false })) {
      renames.set(rename.from, rename.to);
      any = true;
    }
  }
  return any;
}

export async function catalogSyncCommand(options: SyncFlags): Promise<number> {
  const renames = parseRenames(options.rename);
  let { result, existing } = await computeSync(options, renames);
  if (await askRenames(result, renames)) ({ result, existing } = await computeSync(options, renames));
  if (existing !== result.text) {
    // Validate before writing, from memory, so a sync never leaves a catalog that `run` would reject.
    catalogFromText(result.text, options.catalog, await loadRegistry());
    await writeFile(options.catalog, result.text);
  }
  const counts = new Map<string, number>();
  for (const change of result.changes) counts.set(change.kind, (counts.get(change.kind) ?? 0) + 1);
  if (result.changes.length === 0) process.stdout.write(`${options.catalog} is in sync with ${options.checklist}\n`);
  else process.stdout.write(`${existing === undefined ? 'created' : 'updated'} ${options.catalog}: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')}\n`);
  for (const line of describeVanished(result, result.changes.filter((c) => c.kind === 'vanished'))) process.stdout.write(`${line}\n`);
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
  // Entries already marked vanished are reported exactly as sync reports them, but are not drift:
  // sync has recorded them, and a reviewer deletes them (or `catalog sync --prune`).
  const vanishedLines = describeVanished(result, []);
  if (result.changes.length === 0) {
    process.stdout.write(`${options.catalog} agrees with ${options.checklist}\n`);
    for (const line of vanishedLines) process.stdout.write(`${line}\n`);
    return ExitCode.Ready;
  }
  const drift = result.changes;
  process.stdout.write(`${options.catalog} has drifted from ${options.checklist} (${drift.length} item(s)); run \`bazaarhub-check catalog sync\`:\n`);
  for (const line of describeVanished(result, drift.filter((c) => c.kind === 'vanished'))) process.stdout.write(`${line}\n`);
  for (const line of describeAll(drift.filter((c) => c.kind !== 'vanished'))) process.stdout.write(`${line}\n`);
  return ExitCode.NotReady;
}

export async function catalogSchemaCommand(): Promise<number> {
  const { catalogJsonSchema } = await import('../../catalog/json-schema.js');
  process.stdout.write(`${JSON.stringify(catalogJsonSchema((await loadRegistry()).values()), null, 2)}\n`);
  return ExitCode.Ready;
}
