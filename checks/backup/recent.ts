import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { newestObject, type NewestObject } from '../../src/facts/backup.js';

function age(ms: number): string {
  const hours = ms / 3_600_000;
  return hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(1)} days`;
}

/** Pure judgement: the newest object exists, is not empty and is younger than maxAgeHours. */
export function judgeBackup(fact: NewestObject, now: Date, maxAgeHours: number, minBytes: number): Finding {
  const where = `s3://${fact.bucket}/${fact.prefix}`;
  const expected = `${where}: newest backup younger than ${maxAgeHours} hours and at least ${minBytes} byte(s)`;
  if (fact.error !== undefined) return { status: 'error', observed: `${where}: listing failed: ${fact.error}`, expected };
  if (!fact.newest) return { status: 'fail', observed: `${where}: no objects (no backup has ever been written there)`, expected };
  const { key, lastModified, size } = fact.newest;
  const elapsed = now.getTime() - lastModified.getTime();
  const seen = `newest of ${fact.count}${fact.truncated ? '+ (listing stopped at maxPages)' : ''} objects is ${key}, ${size} bytes, written ${lastModified.toISOString()} (${age(Math.max(0, elapsed))} ago)`;
  // A walk cut short at maxPages may not have seen the newest object: too old is then only a warning.
  if (elapsed > maxAgeHours * 3_600_000) return { status: fact.truncated ? 'warn' : 'fail', observed: `${where}: ${seen}`, expected };
  if (size < minBytes) return { status: 'fail', observed: `${where}: ${seen}; too small to be a backup`, expected };
  return { status: fact.truncated ? 'warn' : 'pass', observed: `${where}: ${seen}`, expected };
}

export default defineProbe({
  id: 'backup.recent',
  sdks: ['@aws-sdk/client-s3'],
  sends: { to: 'the backup bucket (bucket param) on S3', what: 'ListObjectsV2 under the prefix, at most maxPages pages', effect: 'none' },
  title: 'A recent backup exists',
  description:
    'Lists the backup bucket under the backup prefix (S3 ListObjectsV2, read-only) and checks that the newest object is younger than 26 hours (the checklist\'s daily backups) and not empty. Uses the deployment\'s AWS credentials and AWS_ENDPOINT_URL_S3/AWS_ENDPOINT_URL for S3-compatible stores.',
  params: z.object({
    bucket: z.string().default(''),
    prefix: z.string().default(''),
    maxAgeHours: z.number().positive().default(26),
    minBytes: z.number().int().nonnegative().default(1),
    /** S3 endpoint override (S3-compatible stores, tests); default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, then AWS. */
    endpoint: z.string().default(''),
    region: z.string().default(''),
    /** Listing pages of 1000 keys to walk at most. */
    maxPages: z.number().int().positive().max(1000).default(50),
  }),
  remediation:
    'Schedule the daily database backup (e.g. pg_dump or RDS automated snapshots exported to S3) to write under the backup prefix, alert when it fails, and check its logs for the last successful run.',
  suggests: [{ match: /backups running successfully|backup completion|database backups succeeding/i, severity: 'high' }],
  async run(ctx, params): Promise<Finding> {
    if (!params.bucket) {
      return { status: 'skipped', observed: 'no backup location: set the catalog params bucket (and prefix) to where the backups are written', expected: `newest backup younger than ${params.maxAgeHours} hours` };
    }
    const fact = await newestObject(ctx, { bucket: params.bucket, prefix: params.prefix, endpoint: params.endpoint, region: params.region }, params.maxPages);
    return judgeBackup(fact, new Date(), params.maxAgeHours, params.minBytes);
  },
});
