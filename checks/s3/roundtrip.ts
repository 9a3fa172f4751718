import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { BUCKET_ROLES, bucketSubject, forBuckets, type ResolvedBucket, roundtrip, type Roundtrip, type S3Outcome } from '../../src/facts/s3.js';

export function judgeRoundtrip(bucket: ResolvedBucket, outcome: S3Outcome<Roundtrip>): FindingDetail {
  const subject = bucketSubject(bucket);
  if (!outcome.ok) return { subject, status: 'error', observed: outcome.message };
  const { put, get, delete: removed, key } = outcome.value;
  const cleanup = !removed
    ? ''
    : removed.ok
      ? outcome.value.leftBehind
        ? `; deleted, but a noncurrent version of ${key} remains (no s3:DeleteObjectVersion)`
        : '; test object deleted'
      : `; DELETE FAILED (${removed.message}): remove ${key} by hand`;
  if (!put.ok) return { subject, status: 'fail', observed: `put failed: ${put.message}${cleanup}` };
  if (!get?.ok) return { subject, status: 'fail', observed: `put ok, get failed: ${get?.message ?? 'not attempted'}${cleanup}` };
  if (!get.matched) return { subject, status: 'fail', observed: `put ok, but get returned different bytes${cleanup}` };
  if (!removed?.ok) return { subject, status: 'fail', observed: `put and get ok${cleanup}` };
  if (outcome.value.leftBehind) return { subject, status: 'warn', observed: `put, get and delete ok${cleanup}` };
  return { subject, status: 'pass', observed: `put ${put.ms} ms, get ${get.ms} ms (${outcome.value.bytes} bytes match), delete ${removed.ms} ms${removed.versioned ? ' (exact version)' : ''}` };
}

export default defineProbe({
  id: 's3.roundtrip',
  sdks: ['@aws-sdk/client-s3'],
  sends: {
    to: 'S3 (the buckets param, default AWS_S3_BUCKET)',
    what: 'PutObject of one small text object under the prefix (default bazaarhub-check/), GetObject of it, DeleteObject of the exact version PutObject returned',
    effect: 'writes: one object exists for the length of the round trip and is always deleted, on a versioned bucket by its exact version so nothing is left; without s3:DeleteObjectVersion a plain delete leaves that version behind a delete marker, and the finding says so. S3 event notifications on the prefix fire for it',
  },
  title: 'S3 upload, download and delete work',
  description:
    'Puts one small object under a dedicated prefix, reads it back, and always deletes it again (the exact version in a versioned bucket), even when the read fails. The only probe that writes: nothing else of the bucket is touched.',
  params: z.object({
    buckets: z.array(z.enum(BUCKET_ROLES)).min(1).default(['products']),
    prefix: z.string().min(1).regex(/^[^/]/, 'must not start with /').default('bazaarhub-check/'),
  }),
  remediation: 'Give the application\'s IAM user s3:PutObject, s3:GetObject and s3:DeleteObject (and kms:GenerateDataKey/kms:Decrypt for SSE-KMS buckets).',
  suggests: [
    { match: /^test s3 upload\/download functionality$/i, severity: 'high' },
    { match: /^s3 connectivity confirmed$/i, severity: 'critical' },
  ],
  async run(ctx, params) {
    return forBuckets(
      ctx,
      params.buckets,
      `put, get and delete of one object under ${params.prefix} succeed and leave nothing behind`,
      'Check the IAM policy of the access key (PutObject, GetObject, DeleteObject on the bucket) and, for SSE-KMS buckets, its KMS key policy.',
      async (bucket) => judgeRoundtrip(bucket, await roundtrip(ctx, bucket.name, params.prefix)),
    );
  },
});
