import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import {
  type AclGrant,
  BUCKET_ROLES,
  bucketAcl,
  bucketPolicyStatus,
  bucketPublicAccessBlock,
  bucketSubject,
  forBuckets,
  type PublicAccessBlock,
  type ResolvedBucket,
  type S3Outcome,
} from '../../src/facts/s3.js';

const PUBLIC_GROUPS = new Set(['AllUsers', 'AuthenticatedUsers']);

export interface PublicAccessFacts {
  block: S3Outcome<PublicAccessBlock>;
  acl: S3Outcome<AclGrant[]>;
  policy: S3Outcome<{ isPublic: boolean }>;
}

/**
 * A private bucket has all four public access block flags on, no ACL grant to AllUsers or
 * AuthenticatedUsers, and no public policy. A bucket allowed to be public (product images) is
 * reported, and fails only if anyone may write to it.
 */
export function judgePublicAccess(bucket: ResolvedBucket, facts: PublicAccessFacts, mayBePublic: boolean): FindingDetail {
  const subject = bucketSubject(bucket);
  const exposures: string[] = [];
  const unreadable: string[] = [];
  if (facts.block.ok) {
    const off = Object.entries(facts.block.value).filter(([, on]) => !on).map(([flag]) => flag);
    if (off.length) exposures.push(`public access block off: ${off.join(', ')}`);
  } else if (facts.block.code === 'NoSuchPublicAccessBlockConfiguration') {
    exposures.push('no public access block configured');
  } else {
    unreadable.push(`public access block (${facts.block.message})`);
  }
  let publicWrite = false;
  if (facts.acl.ok) {
    const grants = facts.acl.value.filter((grant) => grant.group && PUBLIC_GROUPS.has(grant.grantee));
    publicWrite = grants.some((grant) => ['WRITE', 'WRITE_ACP', 'FULL_CONTROL'].includes(grant.permission));
    if (grants.length) exposures.push(`ACL grants ${grants.map((grant) => `${grant.permission} to ${grant.grantee}`).join(', ')}`);
  } else {
    unreadable.push(`ACL (${facts.acl.message})`);
  }
  if (facts.policy.ok) {
    if (facts.policy.value.isPublic) exposures.push('bucket policy is public');
  } else if (facts.policy.code !== 'NoSuchBucketPolicy') {
    unreadable.push(`policy status (${facts.policy.message})`);
  }
  const cannot = unreadable.length ? `cannot read ${unreadable.join(', ')}` : '';
  if (publicWrite) return { subject, status: 'fail', observed: `anyone may write: ${exposures.join('; ')}` };
  if (exposures.length && !mayBePublic) return { subject, status: 'fail', observed: [exposures.join('; '), cannot].filter(Boolean).join('; ') };
  if (unreadable.length) return { subject, status: 'error', observed: [exposures.join('; '), cannot].filter(Boolean).join('; ') };
  if (exposures.length) return { subject, status: 'pass', observed: `may be public (allowed for this bucket): ${exposures.join('; ')}` };
  return { subject, status: 'pass', observed: 'all four public access block flags on, no public ACL grant, no public policy' };
}

export default defineProbe({
  id: 's3.public-access',
  sdks: ['@aws-sdk/client-s3'],
  sends: { to: 'S3 (AWS_S3_BUCKET, AWS_S3_KYC_BUCKET)', what: 'GetPublicAccessBlock, GetBucketAcl and GetBucketPolicyStatus per bucket', effect: 'none' },
  title: 'KYC bucket blocks all public access',
  description:
    'GetPublicAccessBlock, GetBucketAcl and GetBucketPolicyStatus: the KYC bucket has all four block flags on and no ACL or policy granting public read; the products bucket is reported (public read allowed by `productsMayBePublic`, public write never).',
  params: z.object({ buckets: z.array(z.enum(BUCKET_ROLES)).min(1).default([...BUCKET_ROLES]), productsMayBePublic: z.boolean().default(true) }),
  remediation: 'aws s3api put-public-access-block --bucket <kyc bucket> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true; remove public ACL grants and public policy statements.',
  suggests: [{ match: /\bkyc\b.*\b(public|private|access)\b|\b(block|restrict) public access\b/i, severity: 'critical' }],
  async run(ctx, params) {
    return forBuckets(
      ctx,
      params.buckets,
      'KYC bucket: all four public access block flags on, no public ACL or policy; products bucket: no public write',
      'Turn on S3 Block Public Access for the KYC bucket and remove public grants; serve product images through CloudFront rather than a public bucket where possible.',
      async (bucket) => {
        const [block, acl, policy] = await Promise.all([bucketPublicAccessBlock(ctx, bucket.name), bucketAcl(ctx, bucket.name), bucketPolicyStatus(ctx, bucket.name)]);
        return judgePublicAccess(bucket, { block, acl, policy }, bucket.role === 'products' && params.productsMayBePublic);
      },
    );
  },
});
