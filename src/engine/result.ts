import type { Cadence, ItemKind } from '../checklist/types.js';
import type { Severity } from '../catalog/schema.js';
import type { FindingDetail, Status } from './types.js';

/** One catalog entry's outcome: the unit of every report and of the JSON contract. */
export interface EntryResult {
  id: string;
  title: string;
  phase: string;
  section: string;
  cadence: Cadence;
  kind: ItemKind;
  source: string | null;
  probe: string | null;
  status: Status;
  severity: Severity;
  observed: string;
  expected: string;
  remediation: string;
  durationMs: number;
  details?: FindingDetail[];
  /** For manual entries: the attestation that decided the status; for a skipped probe, a current `not-applicable` one. */
  attestation?: AttestationSummary;
  /** Whether this entry keeps the run from READY (set for every result of a report; see engine/verdict.ts). */
  blocking?: boolean;
  /** True while a current waiver covers exactly this finding (the status stays what the probe saw). */
  waived?: boolean;
  /** The latest waiver recorded for this automated entry, with its state. */
  waiver?: WaiverSummary;
  /** The answer needed more than one attempt (a network error or timeout first). */
  flaky?: boolean;
  /** Contact attempts when more than one was made (flaky, or failed every time). */
  attempts?: number;
  /** Key of the cause this entry fails for (shared by every entry failing for that reason; see report causes). */
  cause?: string;
}

export type WaiverState = 'in-force' | 'expiring' | 'expired' | 'finding-changed';

export interface WaiverSummary {
  by: string;
  at: string;
  expires: string;
  justification: string;
  /** The finding that was waived: a changed finding is not covered. */
  finding: { status: string; observed: string; fingerprint: string };
  state: WaiverState;
}

export interface AttestationSummary {
  status: string;
  by: string;
  at: string;
  expires: string | null;
  evidence: string | null;
  note: string | null;
  /** Why an item is not applicable or waived (the justification). */
  reason?: string | null;
  /** Which kind of key signed, and whose (a listed personal key, the team key, the shared HMAC key). */
  signedWith?: string;
}
