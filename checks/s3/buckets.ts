import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { BUCKET_ROLES, bucketHead, type BucketHead, bucketSubject, forBuckets, type ResolvedBucket, type S3Outcome } from '../../src/facts/s3.js';

export function judgeBucket(bucket: ResolvedBucket, head: S3Outcome<BucketHead>): FindingDetail {
  const subject = bucketSubject(bucket);
  if (head.ok) return { subject, status: 'pass', observed: `exists and is reachable with these credentials${head.value.region ? ` (region ${head.value.region})` : ''}` };
  const answered = head.status !== undefined && head.status < 500;
  return { subject, status: answered ? 'fail' : 'error', observed: head.message };
}

export default defineProbe({
  id: 's3.buckets',
  sdks: ['@aws-sdk/client-s3'],
  sends: { to: 'S3 (AWS_S3_BUCKET, AWS_S3_KYC_BUCKET)', what: 'HeadBucket per bucket (GetBucketLocation when HeadBucket is refused, to say why), signed with the application\'s key', effect: 'none' },
  title: 'S3 buckets exist and the credentials reach them',
  description: 'HeadBucket on AWS_S3_BUCKET (products) and AWS_S3_KYC_BUCKET (KYC documents) with the configured access key succeeds.',
  params: z.object({ buckets: z.array(z.enum(BUCKET_ROLES)).min(1).default([...BUCKET_ROLES]) }),
  remediation: 'Create the buckets in AWS_REGION, set AWS_S3_BUCKET/AWS_S3_KYC_BUCKET to their names, and give the application\'s IAM user s3:ListBucket, s3:GetObject and s3:PutObject on them.',
  suggests: [
    { match: /^set up s3 buckets\b/i, severity: 'high' },
    { match: /^set up aws s3 access$/i, severity: 'high' },
    { match: /^s3 connectivity loss$/i, severity: 'critical' },
  ],
  async run(ctx, params) {
    return forBuckets(
      ctx,
      params.buckets,
      'every bucket exists and answers HeadBucket with the configured credentials',
      'Check the bucket names, AWS_REGION and the access key pair; grant s3:ListBucket on each bucket.',
      async (bucket) => judgeBucket(bucket, await bucketHead(ctx, bucket.name)),
    );
  },
});
