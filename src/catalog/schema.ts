import { z } from 'zod';
import { CADENCES, ITEM_KINDS } from '../checklist/types.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe; `--fail-on high` blocks on rank >= rank('high'). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

const ID = /^[a-z0-9][a-z0-9.-]*$/;

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
    attesters: z.array(z.string()).optional(),
    remediation: z.string().optional(),
    tags: z.array(z.string()).optional(),
    /** Set by `catalog sync` (a date) when the item disappeared from the checklist. */
    vanished: z.string().optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (entry.probe && entry.manual) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['manual'], message: 'an entry has either probe or manual: true, not both' });
    if (!entry.probe && !entry.manual) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['probe'], message: 'an entry needs probe: <id> or manual: true' });
    if (entry.params && !entry.probe) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['params'], message: 'params need a probe' });
  });

export const catalogSchema = z
  .object({
    version: z.literal(1),
    checklist: z.string().min(1),
    /** The longest a waiver may last, in days (`waive --expires`, `attest --status waived`); default 90. */
    waiverMaxDays: z.number().int().positive().max(3650).optional(),
    /** Who must approve a run's report before a deploy job acts on it (`approve --verify`). */
    approvals: z.object({ roles: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(1) }).strict().optional(),
    entries: z.array(entrySchema),
  })
  .strict();

export type CatalogEntry = z.output<typeof entrySchema>;
export type Catalog = z.output<typeof catalogSchema>;
