import { setMaxListeners } from 'node:events';
import type { CatalogEntry } from '../catalog/schema.js';
import { FactStore } from '../facts/store.js';
import { nameTargets, startWireMeter, type WireSummary } from '../facts/wire.js';
import { SDK_CONFIGURED_BY } from '../target/service-variables.js';
import type { Target } from '../target/target.js';
import { errorMessage } from '../util/errors.js';
import { mapConcurrent } from '../util/pool.js';
import { allocateBudget } from './budget.js';
import type { Registry } from './registry.js';
import type { AttestationSummary, EntryResult } from './result.js';
import type { Finding, RunOptions, Status } from './types.js';

/** How a manual entry stands; the attestation ledger provides it (unattested when there is none). */
export interface ManualOutcome {
  status: Extract<Status, 'attested' | 'unattested' | 'expired' | 'warn'>;
  observed: string;
  expected: string;
  attestation?: AttestationSummary;
}

export type ManualResolver = (entry: CatalogEntry) => ManualOutcome;

export interface RunnerHooks {
  onStart?(entry: CatalogEntry): void;
  onResult?(result: EntryResult): void;
}

export interface RunRequest {
  entries: readonly CatalogEntry[];
  registry: Registry;
  target: Target;
  options: RunOptions;
  concurrency: number;
  /** Aborted on Ctrl-C: running probes stop, unstarted entries are reported as not run. */
  signal: AbortSignal;
  resolveManual?: ManualResolver;
  hooks?: RunnerHooks;
}

export interface RunOutcome {
  results: EntryResult[];
  interrupted: boolean;
  contacts: ReadonlyMap<string, number>;
  /** What the run sent, per target (see facts/wire.ts), and what --max-requests granted. */
  cost: RunCost;
  durationMs: number;
  /** The SDKs the selected probes use, loaded before the first probe started, and how long that took. */
  sdks: { loaded: string[]; ms: number };
}

export interface RunCost extends WireSummary {
  /** Set with --max-requests: the limit, the deliberate requests granted, and the entries refused. */
  budget?: { maxRequests: number; granted: number; skipped: string[] };
}

const unattested: ManualResolver = () => ({
  status: 'unattested',
  observed: 'no attestation recorded',
  expected: 'a current attestation (bazaarhub-check attest <id>)',
});

export async function runEntries(request: RunRequest): Promise<RunOutcome> {
  const started = performance.now();
  const sdks = await preloadSdks(request.entries, request.registry, request.target);
  const meter = startWireMeter();
  const facts = new FactStore(request.signal, request.options.timeoutMs, request.options.attempts ?? 2);
  const resolveManual = request.resolveManual ?? unattested;
  // Before anything is sent: which entries' deliberate traffic fits --max-requests.
  const budget = allocateBudget(request.entries, request.registry, request.target, request.options);
  const one = async (index: number): Promise<EntryResult> => {
    const entry = request.entries[index] as CatalogEntry;
    request.hooks?.onStart?.(entry);
    const refused = budget.refused.get(index);
    const result = request.signal.aborted
      ? notRun(entry)
      : refused
        ? resultOf(entry, refused, '', 0)
        : entry.probe
          ? await runProbe(entry, request, facts)
          : fromManual(entry, resolveManual(entry));
    request.hooks?.onResult?.(result);
    return result;
  };
  const results = new Array<EntryResult>(request.entries.length);
  let wire: WireSummary;
  try {
    // Load and timing measurements run after every other probe, one at a time (measurements, then
    // bursts), so they measure the deployment and not the tool's own concurrent work.
    const phases = splitPhases(request.entries, request.registry);
    const concurrent = await mapConcurrent(phases.normal, request.concurrency, one);
    phases.normal.forEach((index, i) => (results[index] = concurrent[i] as EntryResult));
    for (const index of [...phases.measurement, ...phases.burst]) results[index] = await one(index);
  } finally {
    await facts.close();
    // Counted up to here: closing clients (an S3 roundtrip's delete, pg's Terminate) is traffic too.
    wire = meter.stop();
  }
  const cost: RunCost = {
    ...nameTargets(wire, request.target),
    ...(request.options.maxRequests !== undefined ? { budget: { maxRequests: request.options.maxRequests, granted: budget.granted, skipped: [...budget.refused.keys()].map((index) => (request.entries[index] as CatalogEntry).id) } } : {}),
  };
  return { results, interrupted: request.signal.aborted, contacts: facts.contacts, cost, durationMs: performance.now() - started, sdks };
}

/** Imports the selected probes' SDKs, one after another (loading is CPU work: running them side by side gains nothing). */
async function preloadSdks(entries: readonly CatalogEntry[], registry: Registry, target: Target): Promise<{ loaded: string[]; ms: number }> {
  const started = performance.now();
  const configured = (specifier: string) => SDK_CONFIGURED_BY[specifier]?.some((name) => target.get(name) !== undefined) ?? true;
  const wanted = new Set(entries.flatMap((entry) => (entry.probe ? (registry.get(entry.probe)?.sdks ?? []) : [])).filter(configured));
  const loaded: string[] = [];
  for (const specifier of wanted) {
    try {
      await import(specifier);
      loaded.push(specifier);
    } catch {
      // The probe's own import reports it, as its finding.
    }
  }
  return { loaded, ms: performance.now() - started };
}

/** Entry indexes per phase, in catalog order within each. */
function splitPhases(entries: readonly CatalogEntry[], registry: Registry): Record<'normal' | 'measurement' | 'burst', number[]> {
  const phases: Record<'normal' | 'measurement' | 'burst', number[]> = { normal: [], measurement: [], burst: [] };
  entries.forEach((entry, index) => phases[(entry.probe ? registry.get(entry.probe)?.phase : undefined) ?? 'normal'].push(index));
  return phases;
}

async function runProbe(entry: CatalogEntry, request: RunRequest, facts: FactStore): Promise<EntryResult> {
  const probe = request.registry.get(entry.probe as string);
  const started = performance.now();
  if (!probe) return resultOf(entry, { status: 'error', observed: `unknown probe ${entry.probe}`, expected: 'a registered probe' }, '', 0);
  const controller = new AbortController();
  // A probe that waits on many facts at once (one per host and protocol) listens once per fact.
  setMaxListeners(0, controller.signal);
  let params: unknown;
  try {
    params = probe.params.parse(entry.params ?? {});
  } catch (error) {
    return resultOf(entry, { status: 'error', observed: `probe failed: ${errorMessage(error)}`, expected: 'the probe to run' }, probe.remediation, performance.now() - started);
  }
  // A probe that must wait longer than --timeout to observe what it tests for (a slow health route) says so.
  const timeoutMs = Math.max(request.options.timeoutMs, probe.budgetMs?.(params, request.options) ?? 0);
  const onRunAbort = () => controller.abort(new Error('interrupted'));
  request.signal.addEventListener('abort', onRunAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Finding>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${formatSeconds(timeoutMs)}`));
      resolve({ status: 'error', observed: `timed out after ${formatSeconds(timeoutMs)}`, expected: `an answer within the ${formatSeconds(timeoutMs)} timeout (--timeout)` });
    }, timeoutMs);
  });
  const interrupted = new Promise<Finding>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve({ status: 'error', observed: errorMessage(controller.signal.reason), expected: 'the probe to finish' }), { once: true });
  });
  let finding: Finding;
  const scope = facts.scope();
  try {
    const ctx = { target: request.target, facts: scope.facts, signal: controller.signal, options: request.options, entry: { id: entry.id, severity: entry.severity } };
    finding = await Promise.race([probe.run(ctx, params), deadline, interrupted]);
  } catch (error) {
    finding = { status: 'error', observed: `probe failed: ${errorMessage(error)}`, expected: 'the probe to run' };
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onRunAbort);
    if (!controller.signal.aborted) controller.abort(new Error('probe finished'));
  }
  const result = resultOf(entry, finding, probe.remediation, performance.now() - started);
  const retries = scope.retries();
  if (retries) {
    result.attempts = retries.attempts;
    if (retries.recovered) result.flaky = true;
  }
  return result;
}

function fromManual(entry: CatalogEntry, outcome: ManualOutcome): EntryResult {
  const result = resultOf(entry, { status: outcome.status, observed: outcome.observed, expected: outcome.expected }, '', 0);
  return outcome.attestation ? { ...result, attestation: outcome.attestation } : result;
}

function notRun(entry: CatalogEntry): EntryResult {
  return resultOf(entry, { status: 'skipped', observed: 'not run: the run was interrupted', expected: 'a complete run' }, '', 0);
}

function resultOf(entry: CatalogEntry, finding: Finding | (Omit<Finding, 'status'> & { status: Status }), probeRemediation: string, durationMs: number): EntryResult {
  const result: EntryResult = {
    id: entry.id,
    title: entry.title,
    phase: entry.phase,
    section: entry.section,
    cadence: entry.cadence,
    kind: entry.kind,
    source: entry.source ?? null,
    probe: entry.probe ?? null,
    status: finding.status,
    severity: entry.severity,
    observed: finding.observed,
    expected: finding.expected,
    remediation: finding.remediation ?? entry.remediation ?? (probeRemediation || (entry.manual ? `Verify "${entry.title}" and record it: bazaarhub-check attest ${entry.id}` : '')),
    durationMs: Math.round(durationMs),
  };
  if (finding.details?.length) result.details = finding.details;
  return result;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
