import { readFile } from 'node:fs/promises';
import { CADENCES, type Cadence } from '../checklist/types.js';
import type { Severity } from '../catalog/schema.js';
import type { Selection } from '../engine/select.js';
import { InputError, errorMessage } from '../util/errors.js';

export interface GlobalOptions {
  catalog: string;
  checklist: string;
  color?: boolean;
  /** Set by resolveInputs when no flag and no file in the working directory named them. */
  catalogBundled?: boolean;
  checklistBundled?: boolean;
}

export interface SelectionOptions {
  phase?: string[];
  section?: string[];
  cadence?: string[];
  only?: string[];
  manual?: boolean;
}

export interface RunFlags extends GlobalOptions, SelectionOptions {
  envFile?: string;
  /** `--env`, the spelling of --env-file that Node never claims. */
  env?: string;
  /** Catalog environments (`--environment staging`); two or more are compared side by side. */
  environment?: string[];
  set?: string[];
  timeout: number;
  concurrency: number;
  /** Tries for a reachability fact after a network error or timeout (default 2). */
  attempts?: number;
  /** `--max-requests`: the deliberate requests the run may send (see engine/budget.ts). */
  maxRequests?: number;
  format: string;
  out?: string;
  report?: string[];
  failOn: Severity;
  ca?: string[];
  insecure: boolean;
  /** Programs the `command` probe may run; with BAZAARHUB_ALLOW_COMMANDS from the environment. */
  allowCommands?: string[];
  verbose: boolean;
  quiet: boolean;
  /** Attestation ledger (default: beside the catalog), days of warning before expiry, release tag glob. */
  ledger?: string;
  warnDays?: number;
  releaseTags?: string;
}

export function toSelection(options: SelectionOptions): Selection {
  for (const cadence of options.cadence ?? []) {
    if (!(CADENCES as readonly string[]).includes(cadence)) throw new InputError(`--cadence ${cadence}: expected one of ${CADENCES.join(', ')}`);
  }
  return {
    ...(options.phase ? { phase: options.phase } : {}),
    ...(options.section ? { section: options.section } : {}),
    ...(options.cadence ? { cadence: options.cadence as Cadence[] } : {}),
    ...(options.only ? { only: options.only } : {}),
    ...(options.manual === false ? { manual: false } : {}),
  };
}

/** The env file from --env-file or --env (one of them). */
export function envFileFlag(flags: Pick<RunFlags, 'envFile' | 'env'>): string | undefined {
  if (flags.envFile !== undefined && flags.env !== undefined && flags.envFile !== flags.env) throw new InputError('--env and --env-file name different files: give one');
  return flags.envFile ?? flags.env;
}

export function parseSets(values: readonly string[] = []): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    // The value may be a secret: never echo it.
    if (eq <= 0) throw new InputError('--set: expected KEY=VALUE (an argument has no "=" or no key)');
    overrides.set(value.slice(0, eq).trim(), value.slice(eq + 1));
  }
  return overrides;
}

export async function readCaFiles(files: readonly string[] = []): Promise<string[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        const pem = await readFile(file, 'utf8');
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new InputError(`--ca ${file}: not a PEM certificate`);
        return pem;
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw new InputError(`--ca ${file}: ${errorMessage(error)}`);
      }
    }),
  );
}

/** `--report junit=out.xml` pairs. */
export function parseReports(values: readonly string[] = [], known: readonly string[]): Array<{ format: string; file: string }> {
  return values.map((value) => {
    const eq = value.indexOf('=');
    const format = value.slice(0, eq);
    if (eq <= 0 || eq === value.length - 1) throw new InputError(`--report ${value}: expected FORMAT=FILE, e.g. junit=reports/junit.xml`);
    if (!known.includes(format)) throw new InputError(`--report ${format}: unknown format (known: ${known.join(', ')})`);
    return { format, file: value.slice(eq + 1) };
  });
}

/** `--allow-commands` plus BAZAARHUB_ALLOW_COMMANDS: set by whoever runs the check, never by the catalog. */
export function allowedCommands(flags: Pick<RunFlags, 'allowCommands'>, env: NodeJS.ProcessEnv = process.env): string[] {
  return [...(flags.allowCommands ?? []), ...(env.BAZAARHUB_ALLOW_COMMANDS ?? '').split(',').map((name) => name.trim()).filter(Boolean)];
}
