import { z } from 'zod';
import { CADENCES, ITEM_KINDS } from '../checklist/types.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe; `--fail-on high` blocks on rank >= rank('high'). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export const ID = /^[a-z0-9][a-z0-9.-]*$/;

export const entrySchema = z
  .object({
    id: z.string().regex(ID, 'must be lower-case letters, digits, dots and dashes'),
    title: z.string().min(1),
    kind: z.enum(ITEM_KINDS).default('task'),
    /** `file:line` of the checklist item; entries without it are hand-written and never drift. */
    source: z.string().optional(),
    phase: z.string().min(1),
    section: z.string().default(''),
    cadence: z.enum(CADENCES),
    severity: z.enum(SEVERITIES),
    probe: z.string().optional(),
    params: z.record(z.unknown()).optional(),
    manual: z.literal(true).optional(),
    /** Why a manual item stays manual: what a machine cannot see of it from outside the deployment. */
    why: z.string().min(1).optional(),
    attesters: z.array(z.string()).optional(),
    remediation: z.string().optional(),
    tags: z.array(z.string()).optional(),
    /** Set by `catalog sync` (a date) when the item disappeared from the checklist. */
    vanished: z.string().optional(),
    /** Set by `catalog sync` on a vanished entry that may be this reworded item; `catalog sync --rename` settles it. */
    possibleRenameTo: z.string().optional(),
    /** Ids this entry had before a checklist rename; attestations recorded under them still count. */
    previousIds: z.array(z.string().regex(ID, 'must be lower-case letters, digits, dots and dashes')).optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (entry.probe && entry.manual) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['manual'], message: 'an entry has either probe or manual: true, not both' });
    if (!entry.probe && !entry.manual) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['probe'], message: 'an entry needs probe: <id> or manual: true' });
    if (entry.why && !entry.manual) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['why'], message: 'why explains a manual entry; an entry with a probe has none' });
    if (entry.params && !entry.probe) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['params'], message: 'params need a probe' });
  });

/** What an environment changes for an entry (keyed by entry id) or for every entry of a probe (keyed by probe id). */
export const overrideSchema = z
  .object({
    severity: z.enum(SEVERITIES).optional(),
    /** Merged over the entry's params (an entry-id override over a probe-id one). */
    params: z.record(z.unknown()).optional(),
  })
  .strict();

/** One named deployment (production, staging, ...): `run --environment NAME`. */
export const environmentSchema = z
  .object({
    description: z.string().optional(),
    /** The deployment's env file, relative to the catalog's folder. */
    envFile: z.string().min(1).optional(),
    /** Values set over the env file (not secrets: those belong in the env file). */
    variables: z.record(z.string()).optional(),
    overrides: z.record(overrideSchema).optional(),
  })
  .strict();

const headerShape = {
  version: z.literal(1),
  checklist: z.string().min(1),
  environments: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, _ and -'), environmentSchema).optional(),
  /** The longest a waiver may last, in days (`waive --expires`, `attest --status waived`); default 90. */
  waiverMaxDays: z.number().int().positive().max(3650).optional(),
  /** Who must approve a run's report before a deploy job acts on it (`approve --verify`). */
  approvals: z.object({ roles: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(1) }).strict().optional(),
};

export const catalogSchema = z
  .object({
    ...headerShape,
    entries: z.array(entrySchema),
  })
  .strict();

/** The catalog with its entries unchecked: the loader validates each entry on its own, to report every problem. */
export const catalogHeaderSchema = z
  .object({
    ...headerShape,
    entries: z.array(z.unknown()),
  })
  .strict();

export type CatalogEntry = z.output<typeof entrySchema>;
export type Catalog = z.output<typeof catalogSchema>;
export type Environment = z.output<typeof environmentSchema>;
