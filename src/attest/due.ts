/**
 * What turns red next: attestations and waivers reaching their expiry, per-release attestations the
 * next release tag ends, recurring items never attested or already expired, and TLS certificates.
 * Pure: the command gathers the ledger, catalog and certificate results and passes them in.
 */
import type { CatalogEntry } from '../catalog/schema.js';
import type { EntryResult } from '../engine/result.js';
import { daysLeft } from './dates.js';
import type { LedgerState } from './ledger.js';
import { decidingRecord } from './resolve.js';
import { byCodeUnit } from '../util/order.js';

export type DueKind = 'attestation' | 'waiver' | 'secret-rotation' | 'per-release' | 'certificate';

export interface DueItem {
  kind: DueKind;
  /** Entry id, or `tls:<host>` for a certificate. */
  id: string;
  title: string;
  /** The last valid instant (ISO); null for per-release attestations, which end at the next release tag. */
  due: string | null;
  /** Whole days left (negative: already past); null when undated. */
  daysLeft: number | null;
  what: string;
  fix: string;
}

const ROTATION = /rotat\w* (the )?secrets?|secrets? rotation/i;

export interface DueInput {
  entries: readonly CatalogEntry[];
  ledger: LedgerState;
  certificates: readonly EntryResult[];
  now: Date;
  days: number;
  releaseTags: string;
}

export function dueItems(input: DueInput): DueItem[] {
  const items: DueItem[] = [];
  const within = (left: number) => left <= input.days;
  for (const entry of input.entries.filter((candidate) => candidate.manual && !candidate.vanished)) {
    const records = input.ledger.records.filter((record) => record.id === entry.id);
    const { record } = decidingRecord(entry, records, input.ledger);
    const kind: DueKind = ROTATION.test(entry.title) ? 'secret-rotation' : record?.status === 'waived' ? 'waiver' : 'attestation';
    const fix = `bazaarhub-check attest ${entry.id}`;
    if (!record) {
      if (entry.cadence !== 'per-release') items.push({ kind, id: entry.id, title: entry.title, due: input.now.toISOString(), daysLeft: 0, what: `never attested (${entry.cadence})`, fix });
      continue;
    }
    if (record.expires === null) {
      items.push({ kind: 'per-release', id: entry.id, title: entry.title, due: null, daysLeft: null, what: `${record.status} by ${record.by}; ends when the next release tag (${input.releaseTags}) lands after ${record.commit?.slice(0, 12) ?? 'its commit'}`, fix });
      continue;
    }
    const left = daysLeft(record.expires, input.now);
    if (!within(left)) continue;
    const verb = record.status === 'waived' ? 'waiver' : record.status === 'not-applicable' ? 'not-applicable attestation' : 'attestation';
    items.push({ kind, id: entry.id, title: entry.title, due: record.expires, daysLeft: left, what: `${verb} by ${record.by} ${left < 0 ? `expired ${-left} day(s) ago` : left === 0 ? 'expires today' : `expires in ${left} day(s)`}`, fix });
  }
  // Automated entries: waivers (and not-applicable attestations) end too, and then the entry blocks again.
  for (const entry of input.entries.filter((candidate) => candidate.probe && !candidate.vanished)) {
    const record = input.ledger.records.filter((candidate) => candidate.id === entry.id).at(-1);
    if (!record?.expires || (record.status !== 'waived' && record.status !== 'not-applicable')) continue;
    const left = daysLeft(record.expires, input.now);
    if (!within(left)) continue;
    const verb = record.status === 'waived' ? 'waiver' : 'not-applicable attestation';
    const fix = record.status === 'waived' ? `fix the finding, or bazaarhub-check waive ${entry.id} --justification TEXT --expires DATE` : `bazaarhub-check attest ${entry.id} --status not-applicable --reason TEXT`;
    items.push({ kind: record.status === 'waived' ? 'waiver' : 'attestation', id: entry.id, title: entry.title, due: record.expires, daysLeft: left, what: `${verb} by ${record.by} ${left < 0 ? `expired ${-left} day(s) ago` : left === 0 ? 'expires today' : `expires in ${left} day(s)`}`, fix });
  }
  for (const result of input.certificates) {
    for (const detail of result.details ?? []) {
      if (!detail.expires) continue;
      const left = daysLeft(detail.expires, input.now);
      if (!within(left)) continue;
      items.push({ kind: 'certificate', id: `tls:${detail.subject}`, title: `TLS certificate of ${detail.subject}`, due: detail.expires, daysLeft: left, what: left < 0 ? `expired ${-left} day(s) ago` : `expires in ${left} day(s)`, fix: 'renew the certificate (certbot renew) and reload the server' });
    }
  }
  // Soonest first; undated per-release items after every dated one.
  return items.sort((a, b) => (a.due === null ? 1 : 0) - (b.due === null ? 1 : 0) || byCodeUnit(a.due ?? '', b.due ?? '') || byCodeUnit(a.id, b.id));
}

export function renderDueText(items: readonly DueItem[], days: number): string {
  if (items.length === 0) return `Nothing turns red within ${days} day(s).\n`;
  const lines = items.map((item) => {
    const when = item.due === null ? 'next release' : item.due.slice(0, 10);
    const left = item.daysLeft === null ? '' : item.daysLeft < 0 ? ` (${-item.daysLeft}d overdue)` : ` (${item.daysLeft}d)`;
    return `${when.padEnd(12)}${left.padEnd(15)} ${item.kind.padEnd(16)} ${item.title}\n${' '.repeat(28)} ${item.what}; ${item.fix}`;
  });
  return `${items.length} item(s) turn red within ${days} day(s), soonest first:\n${lines.join('\n')}\n`;
}

/** One all-day event per dated item, on its last valid day (iCalendar via the ics package). */
export async function renderDueIcs(items: readonly DueItem[], now: Date): Promise<string> {
  const { createEvents } = await import('ics');
  const dated = items.filter((item) => item.due !== null);
  if (dated.length === 0) return 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:bazaarhub-check\r\nEND:VCALENDAR\r\n';
  const day = (iso: string): [number, number, number] => {
    const date = new Date(Date.parse(iso) < now.getTime() ? now.getTime() : Date.parse(iso));
    return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  };
  const { error, value } = createEvents(
    dated.map((item) => ({
      uid: `${item.id}.${(item.due as string).slice(0, 10)}@bazaarhub-check`,
      title: `bazaarhub-check: ${item.title} (${item.kind})`,
      description: `${item.what}\nFix: ${item.fix}`,
      start: day(item.due as string),
      duration: { days: 1 },
      productId: 'bazaarhub-check',
      calName: 'bazaarhub-check: what expires next',
    })),
  );
  if (error || !value) throw new Error(`cannot write the calendar: ${error?.message ?? 'no output'}`);
  return value;
}
