import type { z } from 'zod';
import type { Target } from '../target/target.js';
import type { FactStore } from '../facts/store.js';
import type { Severity } from '../catalog/schema.js';

/** What a probe can conclude. */
export const PROBE_STATUSES = ['pass', 'warn', 'fail', 'error', 'skipped'] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

/** What a catalog entry can end as: a probe's status, or a manual item's attestation state. */
export const STATUSES = [...PROBE_STATUSES, 'attested', 'unattested', 'expired'] as const;
export type Status = (typeof STATUSES)[number];

/** One subject a probe looked at (a host, a table, a bucket), for table-shaped details. */
export interface FindingDetail {
  subject: string;
  status: ProbeStatus;
  observed: string;
  /** When what was looked at stops being valid (ISO), e.g. a certificate's notAfter: `due` and monitoring read it. */
  expires?: string;
}

export interface Finding {
  status: ProbeStatus;
  /** What was seen, in a sentence a release manager can read. */
  observed: string;
  /** What should have been seen. */
  expected: string;
  /** How to fix it; falls back to the probe's and the catalog entry's remediation. */
  remediation?: string;
  details?: FindingDetail[];
}

export interface RunOptions {
  /** Per-probe budget in milliseconds. */
  timeoutMs: number;
  /** TLS verification off (only with --insecure); reports say so at the top. */
  insecure: boolean;
  /** Extra trusted CA certificates in PEM (from --ca), beside the system store and NODE_EXTRA_CA_CERTS. */
  ca: string[];
  /** Attempts for a reachability fact (HTTP GET, TLS handshake, database connect) after a network error or timeout; default 2. */
  attempts?: number;
}

export interface ProbeContext {
  target: Target;
  facts: FactStore;
  /** Aborted when the probe's timeout elapses or the run is interrupted. */
  signal: AbortSignal;
  options: RunOptions;
  /** The catalog entry being verified. */
  entry: { id: string; severity: Severity };
}

/** A checklist item pattern this probe verifies, used by `catalog sync` to propose `probe:` for new entries. */
export interface Suggestion {
  match: RegExp;
  /** Static params, or params derived from the match (e.g. `NAME=value` in the item's text). */
  params?: Record<string, unknown> | ((match: RegExpExecArray) => Record<string, unknown>);
  severity?: Severity;
}

export interface Probe<S extends z.ZodTypeAny = z.ZodTypeAny> {
  /** `area.name`, a public contract (catalogs and CI filters refer to it). */
  id: string;
  title: string;
  description: string;
  /** zod schema of the params, every field with a default so `{}` is valid. */
  params: S;
  remediation: string;
  suggests?: Suggestion[];
  /**
   * The time this probe needs when it is more than the run's per-probe timeout (a health route
   * slower than the timeout must be seen to be slow); the runner gives it the larger of the two.
   */
  budgetMs?(params: z.output<S>, options: RunOptions): number;
  /**
   * `measurement`: load or timing measurements (latency samples), run alone after every other
   * probe so the tool's own work does not distort them; `burst`: deliberate bursts (a rate-limit
   * test), run alone after the measurements. Unset: the normal, concurrent phase.
   */
  phase?: 'measurement' | 'burst';
  run(ctx: ProbeContext, params: z.output<S>): Promise<Finding>;
}

/** Identity helper that keeps each probe file's params typed (`satisfies` style, like knip plugins). */
export function defineProbe<S extends z.ZodTypeAny>(probe: Probe<S>): Probe<S> {
  return probe;
}
