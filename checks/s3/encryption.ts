import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { BUCKET_ROLES, bucketEncryption, bucketSubject, type EncryptionRule, forBuckets, type ResolvedBucket, type S3Outcome } from '../../src/facts/s3.js';

const KIND: Record<string, string> = { AES256: 'SSE-S3 (AES256)', 'aws:kms': 'SSE-KMS', 'aws:kms:dsse': 'DSSE-KMS' };

/** The key's last characters only: enough to tell keys apart in a report. */
function keyLabel(kmsKeyId: string): string {
  const alias = /alias\/(.+)$/.exec(kmsKeyId)?.[1];
  return alias ? `alias ${alias}` : `key …${kmsKeyId.slice(-4)}`;
}

/** SSE-S3 or SSE-KMS passes; when KMS is required, SSE-S3 fails and the AWS managed key warns. */
export function judgeEncryption(bucket: ResolvedBucket, outcome: S3Outcome<EncryptionRule[]>, requireKms: boolean): FindingDetail {
  const subject = bucketSubject(bucket);
  if (!outcome.ok) {
    if (outcome.code === 'ServerSideEncryptionConfigurationNotFoundError') return { subject, status: 'fail', observed: 'no default encryption configured' };
    return { subject, status: 'error', observed: `cannot read the encryption configuration: ${outcome.message}` };
  }
  const rule = outcome.value[0];
  if (!rule) return { subject, status: 'fail', observed: 'encryption configuration has no rule' };
  const kind = KIND[rule.algorithm] ?? rule.algorithm;
  const kms = rule.algorithm.startsWith('aws:kms');
  const key = kms ? (rule.kmsKeyId ? ` with customer managed ${keyLabel(rule.kmsKeyId)}` : ' with the AWS managed key aws/s3') : '';
  const observed = `${kind}${key}${rule.bucketKeyEnabled ? ', bucket key enabled' : ''}`;
  if (!KIND[rule.algorithm]) return { subject, status: 'error', observed: `unknown algorithm ${rule.algorithm}` };
  if (requireKms && !kms) return { subject, status: 'fail', observed: `${observed}, but KMS is required for this bucket` };
  if (requireKms && !rule.kmsKeyId) return { subject, status: 'warn', observed: `${observed}: a customer managed key gives you its key policy, rotation and audit trail` };
  return { subject, status: 'pass', observed };
}

export default defineProbe({
  id: 's3.encryption',
  sdks: ['@aws-sdk/client-s3'],
  sends: { to: 'S3 (AWS_S3_BUCKET, AWS_S3_KYC_BUCKET)', what: 'GetBucketEncryption per bucket', effect: 'none' },
  title: 'S3 buckets encrypt objects by default',
  description: 'GetBucketEncryption on both buckets: SSE-S3 or SSE-KMS default encryption; with `kycRequiresKms` the KYC bucket must use SSE-KMS (ideally with a customer managed key).',
  params: z.object({ buckets: z.array(z.enum(BUCKET_ROLES)).min(1).default([...BUCKET_ROLES]), kycRequiresKms: z.boolean().default(false) }),
  remediation: 'Set default encryption on each bucket (aws s3api put-bucket-encryption); use SSE-KMS with a customer managed key for the KYC bucket.',
  suggests: [
    { match: /^configure s3 bucket encryption\b/i, severity: 'critical' },
    { match: /^configure aws kms for encryption keys$/i, params: { buckets: ['kyc'], kycRequiresKms: true }, severity: 'high' },
  ],
  async run(ctx, params) {
    return forBuckets(
      ctx,
      params.buckets,
      `default encryption (SSE-S3 or SSE-KMS)${params.kycRequiresKms ? ', SSE-KMS on the KYC bucket' : ''}`,
      'aws s3api put-bucket-encryption --bucket <name> --server-side-encryption-configuration \'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"<key arn>"},"BucketKeyEnabled":true}]}\'',
      async (bucket) => judgeEncryption(bucket, await bucketEncryption(ctx, bucket.name), params.kycRequiresKms && bucket.role === 'kyc'),
    );
  },
});
