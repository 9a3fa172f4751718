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
  /** Programs the `command` probe may run (`--allow-commands`, BAZAARHUB_ALLOW_COMMANDS; `*`: any). Never from the catalog. */
  allowCommands?: readonly string[];
  /** Attempts for a reachability fact (HTTP GET, TLS handshake, database connect) after a network error or timeout; default 2. */
  attempts?: number;
  /** `--max-requests`: the deliberate requests (bursts, samples, attack shapes, deliveries) the run may send; unset: no limit. */
  maxRequests?: number;
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

/**
 * What a probe sends to the deployment, for `probes`, `probes --json` and the README's probe table:
 * an operator reads it before pointing the tool at production. Every field is required, so a new
 * probe cannot leave it out.
 */
export interface Sends {
  /** Where it goes, e.g. "each service URL", "PostgreSQL (DATABASE_URL)"; "nothing" when the probe only reads the env file or local files. */
  to: string;
  /** What goes over the wire, concretely: methods and paths, commands, queries, bodies. */
  what: string;
  /** What the deployment may do because of it: "none" for a side-effect-free probe, otherwise the exact effect and how the probe undoes it. */
  effect: string;
}

/** The one-line rendering of `sends` (the `probes` listing and the README column). */
export function describeSends(sends: Sends): string {
  const what = sends.what.replace(/[.\s]+$/, '');
  const line = sends.to === 'nothing' ? `nothing (${what})` : `${sends.to}: ${what}`;
  return sends.effect === 'none' ? `${line}.` : `${line}. Effect: ${sends.effect.replace(/[.\s]+$/, '')}.`;
}

/**
 * A probe's deliberate traffic (load samples, bursts, attack shapes, CORS exchanges, deliveries):
 * what `--max-requests` limits, declared so the budget is allocated before anything is sent.
 * Ordinary fact gathering (one GET per URL, one handshake per host) is not declared here.
 */
export interface Deliberate<P = unknown> {
  /** The requests with the default params, per `per` (for `probes --json` and the README). */
  requests: number;
  /** What `requests` is counted per: `run`, `service URL`, `webhook URL`. */
  per: string;
  /**
   * The requests this entry sends at most against `target`, in units: entries (or probes) that share
   * a unit's key (one latency measurement, one CORS exchange) send it once, so it is charged once.
   */
  plan(params: P, ctx: Pick<ProbeContext, 'target' | 'options'>): Array<{ key: string; requests: number }>;
}

export interface Probe<S extends z.ZodTypeAny = z.ZodTypeAny> {
  /** `area.name`, a public contract (catalogs and CI filters refer to it). */
  id: string;
  title: string;
  description: string;
  /** zod schema of the params, every field with a default so `{}` is valid. */
  params: S;
  remediation: string;
  /** What the probe sends to the deployment (required: the read-only contract, documented). */
  sends: Sends;
  suggests?: Suggestion[];
  /**
   * The npm modules (import specifiers) the probe loads to talk to the deployment. The runner
   * imports them before any probe starts, so loading an SDK (the AWS SDK alone is ~100 ms of CPU)
   * never counts as some probe's time or delays another probe's network timings.
   */
  sdks?: readonly string[];
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
  /** Deliberate traffic, when the probe sends any (see Deliberate). */
  deliberate?: Deliberate<z.output<S>>;
  run(ctx: ProbeContext, params: z.output<S>): Promise<Finding>;
}

/** Identity helper that keeps each probe file's params typed (`satisfies` style, like knip plugins). */
export function defineProbe<S extends z.ZodTypeAny>(probe: Probe<S>): Probe<S> {
  return probe;
}
