import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { BUCKET_ROLES, bucketSubject, bucketVersioning, forBuckets, type ResolvedBucket, type S3Outcome, type Versioning } from '../../src/facts/s3.js';

export function judgeVersioning(bucket: ResolvedBucket, outcome: S3Outcome<Versioning>): FindingDetail {
  const subject = bucketSubject(bucket);
  if (!outcome.ok) return { subject, status: 'error', observed: `cannot read the versioning state: ${outcome.message}` };
  const mfa = outcome.value.mfaDelete === 'Enabled' ? ', MFA delete enabled' : '';
  switch (outcome.value.status) {
    case 'Enabled':
      return { subject, status: 'pass', observed: `versioning enabled${mfa}` };
    case 'Suspended':
      return { subject, status: 'fail', observed: 'versioning suspended: overwritten or deleted documents are not kept' };
    default:
      return { subject, status: 'fail', observed: 'versioning never enabled: an overwrite or delete loses the document' };
  }
}

export default defineProbe({
  id: 's3.versioning',
  sdks: ['@aws-sdk/client-s3'],
  sends: { to: 'S3 (the buckets param, default AWS_S3_KYC_BUCKET)', what: 'GetBucketVersioning per bucket', effect: 'none' },
  title: 'S3 versioning enabled on the KYC bucket',
  description: 'GetBucketVersioning: versioning Enabled on the KYC bucket (and any other bucket listed), so that KYC documents survive overwrites and deletes.',
  params: z.object({ buckets: z.array(z.enum(BUCKET_ROLES)).min(1).default(['kyc']) }),
  remediation: 'aws s3api put-bucket-versioning --bucket <kyc bucket> --versioning-configuration Status=Enabled, with a lifecycle rule expiring noncurrent versions.',
  suggests: [{ match: /\b(enable )?(s3 )?versioning\b.*\b(kyc|s3)\b|\bkyc\b.*\bversioning\b/i, severity: 'high' }],
  async run(ctx, params) {
    return forBuckets(
      ctx,
      params.buckets,
      'versioning Enabled',
      'Enable versioning on the bucket (it cannot be turned off again, only suspended).',
      async (bucket) => judgeVersioning(bucket, await bucketVersioning(ctx, bucket.name)),
    );
  },
});
