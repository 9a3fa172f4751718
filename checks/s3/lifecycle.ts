import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { BUCKET_ROLES, bucketLifecycle, bucketSubject, forBuckets, type LifecycleRule, type ResolvedBucket, type S3Outcome } from '../../src/facts/s3.js';

/** At least one enabled rule that archives (transition) or expires objects. */
export function judgeLifecycle(bucket: ResolvedBucket, outcome: S3Outcome<LifecycleRule[]>): FindingDetail {
  const subject = bucketSubject(bucket);
  if (!outcome.ok) {
    if (outcome.code === 'NoSuchLifecycleConfiguration') return { subject, status: 'fail', observed: 'no lifecycle configuration' };
    return { subject, status: 'error', observed: `cannot read the lifecycle configuration: ${outcome.message}` };
  }
  const describe = (rule: LifecycleRule) => {
    const actions = [rule.transition ? 'archival' : '', rule.expiration ? 'expiry' : '', rule.abortIncompleteUploads ? 'abort incomplete uploads' : ''].filter(Boolean);
    return `${rule.id}${rule.prefix ? ` on ${rule.prefix}` : ''} (${actions.join(', ') || 'no action'}${rule.enabled ? '' : ', disabled'})`;
  };
  const useful = outcome.value.filter((rule) => rule.enabled && (rule.transition || rule.expiration));
  const rules = outcome.value.map(describe).join('; ');
  if (useful.length === 0) {
    const why = outcome.value.some((rule) => !rule.enabled) ? 'no enabled rule archives or expires objects' : 'no rule archives or expires objects';
    return { subject, status: 'fail', observed: `${why}: ${rules || 'no rules'}` };
  }
  return { subject, status: 'pass', observed: `${useful.length} archival/expiry rule(s): ${rules}` };
}

export default defineProbe({
  id: 's3.lifecycle',
  sdks: ['@aws-sdk/client-s3'],
  sends: { to: 'S3 (AWS_S3_BUCKET, AWS_S3_KYC_BUCKET)', what: 'GetBucketLifecycleConfiguration per bucket', effect: 'none' },
  title: 'S3 lifecycle rules archive or expire objects',
  description: 'GetBucketLifecycleConfiguration on both buckets: at least one enabled rule with a transition (archival) or an expiration.',
  params: z.object({ buckets: z.array(z.enum(BUCKET_ROLES)).min(1).default([...BUCKET_ROLES]) }),
  remediation: 'Add lifecycle rules: transition old product images to a colder storage class, and expire KYC documents (and noncurrent versions) after the retention period.',
  suggests: [{ match: /^(set up|enable) s3 lifecycle policies\b/i, severity: 'medium' }],
  async run(ctx, params) {
    return forBuckets(
      ctx,
      params.buckets,
      'an enabled lifecycle rule that archives or expires objects on every bucket',
      'aws s3api put-bucket-lifecycle-configuration --bucket <name> --lifecycle-configuration file://lifecycle.json (Transitions to GLACIER_IR / Expiration after the retention period).',
      async (bucket) => judgeLifecycle(bucket, await bucketLifecycle(ctx, bucket.name)),
    );
  },
});
