import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import recent, { judgeBackup } from '../../checks/backup/recent.js';
import { startS3Listing, type RunningS3Listing } from '../../src/standins/s3-listing.js';
import { runProbe } from '../helpers/servers.js';

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR);

let s3: RunningS3Listing;

beforeAll(async () => {
  const daily = Array.from({ length: 30 }, (_, day) => ({ key: `db/daily/bazaarhub-${String(day).padStart(2, '0')}.dump.gz`, lastModified: ago(6 + 24 * (29 - day)), size: 48_000_000 }));
  s3 = await startS3Listing({
    pageSize: 7,
    buckets: {
      'bazaarhub-backups': [
        ...daily,
        { key: 'db/stale/bazaarhub-old.dump.gz', lastModified: ago(80), size: 47_000_000 },
        { key: 'db/empty/bazaarhub.dump.gz', lastModified: ago(1), size: 0 },
        { key: 'uploads/readme.txt', lastModified: ago(0.5), size: 10 },
      ],
    },
  });
});
afterAll(async () => {
  await s3.close();
});

const env = () => ({ AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_ENDPOINT_URL_S3: s3.endpoint });

describe('backup.recent', () => {
  it('passes when the newest backup under the prefix is younger than 26 hours, walking every page', async () => {
    const finding = await runProbe(recent, env(), { bucket: 'bazaarhub-backups', prefix: 'db/daily/' });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/^s3:\/\/bazaarhub-backups\/db\/daily\/: newest of 30 objects is db\/daily\/bazaarhub-29\.dump\.gz, 48000000 bytes, written .* \(6\.0 hours ago\)$/);
    expect(JSON.stringify({ ...finding, ctx: undefined })).not.toContain(s3.secretAccessKey);
  });

  it('fails when the newest backup is older than 26 hours', async () => {
    const finding = await runProbe(recent, env(), { bucket: 'bazaarhub-backups', prefix: 'db/stale/' });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('(3.3 days ago)');
  });

  it('fails when the prefix is empty or the newest object is empty', async () => {
    expect((await runProbe(recent, env(), { bucket: 'bazaarhub-backups', prefix: 'db/none/' })).observed).toContain('no objects');
    const empty = await runProbe(recent, env(), { bucket: 'bazaarhub-backups', prefix: 'db/empty/' });
    expect(empty.status).toBe('fail');
    expect(empty.observed).toContain('too small to be a backup');
  });

  it('reports S3 errors: unknown bucket, wrong access key', async () => {
    const missing = await runProbe(recent, env(), { bucket: 'no-such-bucket' });
    expect(missing.status).toBe('error');
    expect(missing.observed).toContain('NoSuchBucket (HTTP 404)');
    const denied = await runProbe(recent, { ...env(), AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG' }, { bucket: 'bazaarhub-backups', endpoint: s3.endpoint });
    expect(denied.status).toBe('error');
    expect(denied.observed).toContain('InvalidAccessKeyId (HTTP 403)');
  });

  it('warns when the walk stops at maxPages, and skips without a bucket', async () => {
    const finding = await runProbe(recent, env(), { bucket: 'bazaarhub-backups', prefix: 'db/daily/', maxPages: 2 });
    expect(finding.status).toBe('warn');
    expect(finding.observed).toContain('newest of 14+ (listing stopped at maxPages) objects');
    expect((await runProbe(recent, env())).status).toBe('skipped');
  });

  it('judges ages against the given clock', () => {
    const fact = { bucket: 'b', prefix: 'p/', count: 1, truncated: false, newest: { key: 'p/x', lastModified: new Date('2026-01-01T00:00:00Z'), size: 5 } };
    expect(judgeBackup(fact, new Date('2026-01-02T01:59:00Z'), 26, 1).status).toBe('pass');
    expect(judgeBackup(fact, new Date('2026-01-02T02:01:00Z'), 26, 1).status).toBe('fail');
  });
});
