import { afterEach, describe, expect, it } from 'vitest';
import { daysLeft, defaultExpiry, formatInstant, isCurrent, parseExpiry } from '../../src/attest/dates.js';

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const expiresOf = (text: string) => {
  const parsed = parseExpiry(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.expires;
};

describe('explicit expiry dates', () => {
  it('treats YYYY-MM-DD as a UTC day, inclusive', () => {
    const expires = expiresOf('2026-12-31');
    expect(expires).toBe('2026-12-31T23:59:59.999Z');
    expect(isCurrent(expires, new Date('2026-12-31T00:00:00Z'))).toBe(true);
    expect(isCurrent(expires, new Date('2026-12-31T23:59:59.999Z'))).toBe(true);
    expect(isCurrent(expires, new Date('2027-01-01T00:00:00.000Z'))).toBe(false);
    expect(daysLeft(expires, new Date('2026-12-31T08:00:00Z'))).toBe(0);
    expect(formatInstant(expires)).toBe('2026-12-31');
  });

  it('gives the same answer whatever the machine time zone is', () => {
    const results = ['Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Kolkata', 'UTC'].map((tz) => {
      process.env.TZ = tz;
      const at = new Date('2026-03-08T09:30:00Z'); // a US DST switch day
      return [expiresOf('2026-03-08'), expiresOf('2026-03-08T23:30:00-08:00'), defaultExpiry('weekly', at), isCurrent(expiresOf('2026-03-08'), new Date('2026-03-09T01:00:00Z'))];
    });
    for (const result of results) expect(result).toEqual(['2026-03-08T23:59:59.999Z', '2026-03-09T07:30:00.000Z', '2026-03-15T09:30:00.000Z', false]);
  });

  it('converts date-times with an offset to UTC and rejects zoneless ones', () => {
    expect(expiresOf('2026-12-31T23:00:00+05:30')).toBe('2026-12-31T17:30:00.000Z');
    expect(expiresOf('2027-01-01T01:00:00Z')).toBe('2027-01-01T01:00:00.000Z');
    const zoneless = parseExpiry('2026-12-31T10:00:00');
    expect(zoneless.ok).toBe(false);
    expect(!zoneless.ok && zoneless.error).toMatch(/no time zone/);
  });

  it('knows leap years and rejects impossible or malformed dates', () => {
    expect(expiresOf('2028-02-29')).toBe('2028-02-29T23:59:59.999Z');
    expect(expiresOf('2000-02-29')).toBe('2000-02-29T23:59:59.999Z');
    for (const bad of ['2026-02-29', '2100-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-5', '31/12/2026', 'tomorrow', '', '2026-12-31T24:00:00Z', '2026-12-31T10:00:00+15:00', '20261231']) {
      expect(parseExpiry(bad).ok, bad).toBe(false);
    }
  });
});

describe('cadence defaults', () => {
  it('daily 1, weekly 7, monthly 31, quarterly 92 days; per-release has no date', () => {
    const at = new Date('2026-11-26T10:00:00Z');
    expect(defaultExpiry('daily', at)).toBe('2026-11-27T10:00:00.000Z');
    expect(defaultExpiry('weekly', at)).toBe('2026-12-03T10:00:00.000Z');
    expect(defaultExpiry('monthly', at)).toBe('2026-12-27T10:00:00.000Z');
    expect(defaultExpiry('quarterly', at)).toBe('2027-02-26T10:00:00.000Z');
    expect(defaultExpiry('per-release', at)).toBeNull();
  });

  it('counts February 29 in leap years', () => {
    expect(defaultExpiry('monthly', new Date('2028-02-01T00:00:00Z'))).toBe('2028-03-03T00:00:00.000Z');
    expect(defaultExpiry('monthly', new Date('2027-02-01T00:00:00Z'))).toBe('2027-03-04T00:00:00.000Z');
    expect(defaultExpiry('daily', new Date('2028-02-28T12:00:00Z'))).toBe('2028-02-29T12:00:00.000Z');
  });
});
