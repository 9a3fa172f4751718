import type { Cadence } from '../checklist/types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long an attestation stays current when no `--expires` is given; per-release ones last until the next release tag. */
export const CADENCE_DAYS: Readonly<Record<Exclude<Cadence, 'per-release'>, number>> = {
  daily: 1,
  weekly: 7,
  monthly: 31,
  quarterly: 92,
};

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses a user-given expiry, returning the last valid instant as an ISO string (UTC), or an error message.
 * `YYYY-MM-DD` is a UTC calendar day and inclusive: the attestation holds until 23:59:59.999Z of that day.
 * A date-time must carry its zone (`Z` or `±hh:mm`): a zoneless one would depend on the machine's TZ.
 * Impossible dates (2026-02-29, 2026-13-01, 24:00) are rejected, never rolled over.
 */
export function parseExpiry(input: string): { ok: true; expires: string } | { ok: false; error: string } {
  const text = input.trim();
  const day = DATE_ONLY.exec(text);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!isCalendarDate(year, month, date)) return { ok: false, error: `"${input}" is not a calendar date` };
    return { ok: true, expires: new Date(Date.UTC(year, month - 1, date, 23, 59, 59, 999)).toISOString() };
  }
  const full = DATE_TIME.exec(text);
  if (full) {
    const [year, month, date, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(full[i] ?? 0)) as [number, number, number, number, number, number];
    if (!isCalendarDate(year, month, date) || hour > 23 || minute > 59 || second > 59) return { ok: false, error: `"${input}" is not a valid date-time` };
    const zone = full[8] as string;
    if (zone !== 'Z') {
      const [zh, zm] = zone.slice(1).split(':').map(Number) as [number, number];
      if (zh > 14 || zm > 59) return { ok: false, error: `"${input}" has an invalid UTC offset` };
    }
    const instant = Date.parse(text);
    if (Number.isNaN(instant)) return { ok: false, error: `"${input}" is not a valid date-time` };
    return { ok: true, expires: new Date(instant).toISOString() };
  }
  if (/^\d{4}-\d{2}-\d{2}T[^Z+-]*$/.test(text)) return { ok: false, error: `"${input}" has no time zone: use YYYY-MM-DD (a UTC day) or add Z / ±hh:mm` };
  return { ok: false, error: `"${input}" is not a date: use YYYY-MM-DD (UTC, inclusive) or an ISO date-time with a zone` };
}

/** For prompts and flags: true, or why the input cannot be an expiry (malformed, impossible, already past). */
export function checkExpiryInput(input: string, now: Date): true | string {
  const parsed = parseExpiry(input);
  if (!parsed.ok) return parsed.error;
  if (Date.parse(parsed.expires) < now.getTime()) return `${input} is already past`;
  return true;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The default expiry of an attestation made at `at` for an item of this cadence; null for per-release (decided by tags). */
export function defaultExpiry(cadence: Cadence, at: Date): string | null {
  if (cadence === 'per-release') return null;
  return new Date(at.getTime() + CADENCE_DAYS[cadence] * DAY_MS).toISOString();
}

/** True while `now` is at or before the last valid instant. */
export function isCurrent(expires: string | null, now: Date): boolean {
  return expires === null || now.getTime() <= Date.parse(expires);
}

/** Whole days from `now` until `expires` (0 on the day itself, negative once past). */
export function daysLeft(expires: string, now: Date): number {
  return Math.floor((Date.parse(expires) - now.getTime()) / DAY_MS);
}

/** `2026-12-31` for an end-of-day instant, else `2026-12-31 14:05 UTC`: short for reports. */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  if (text.endsWith('T23:59:59.999Z')) return text.slice(0, 10);
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}
