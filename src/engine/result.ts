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
  /** For manual entries: the attestation that decided the status. */
  attestation?: AttestationSummary;
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
