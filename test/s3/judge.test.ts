/** The s3.* judgements and error mapping on answers recorded from S3 (no network). */
import { describe, expect, it } from 'vitest';
import { judgeEncryption } from '../../checks/s3/encryption.js';
import { judgeLifecycle } from '../../checks/s3/lifecycle.js';
import { judgePublicAccess } from '../../checks/s3/public-access.js';
import { judgeRoundtrip } from '../../checks/s3/roundtrip.js';
import { s3Failure } from '../../src/facts/s3.js';

const kyc = { role: 'kyc' as const, variable: 'AWS_S3_KYC_BUCKET', name: 'bazaarhub-kyc' };
const products = { role: 'products' as const, variable: 'AWS_S3_BUCKET', name: 'bazaarhub-products' };
const allBlocked = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const ownerOnly = [{ grantee: 'f2b3c4d5', group: false, permission: 'FULL_CONTROL' }];

describe('s3 judgements on recorded answers', () => {
  it('encryption: DSSE-KMS counts as KMS; an unknown algorithm is an error', () => {
    expect(judgeEncryption(kyc, { ok: true, value: [{ algorithm: 'aws:kms:dsse', kmsKeyId: 'arn:aws:kms:ap-south-1:111122223333:key/abcd-1234', bucketKeyEnabled: false }] }, true)).toMatchObject({ status: 'pass', observed: 'DSSE-KMS with customer managed key …1234' });
    expect(judgeEncryption(kyc, { ok: true, value: [{ algorithm: 'SM4', bucketKeyEnabled: false }] }, false).status).toBe('error');
    expect(judgeEncryption(kyc, { ok: false, code: 'AccessDenied', status: 403, message: 'denied' }, false).status).toBe('error');
  });

  it('lifecycle: a noncurrent-version expiry is an expiry', () => {
    const rules = [{ id: 'noncurrent', enabled: true, transition: false, expiration: true, abortIncompleteUploads: true }];
    expect(judgeLifecycle(kyc, { ok: true, value: rules })).toMatchObject({ status: 'pass', observed: '1 archival/expiry rule(s): noncurrent (expiry, abort incomplete uploads)' });
  });

  it('public access: ignoring a missing bucket policy, failing public write even where public read is allowed', () => {
    const noPolicy = { ok: false as const, code: 'NoSuchBucketPolicy', status: 404, message: 'none' };
    expect(judgePublicAccess(kyc, { block: { ok: true, value: allBlocked }, acl: { ok: true, value: ownerOnly }, policy: noPolicy }, false).status).toBe('pass');
    const publicWrite = [...ownerOnly, { grantee: 'AllUsers', group: true, permission: 'WRITE' }];
    expect(judgePublicAccess(products, { block: { ok: true, value: allBlocked }, acl: { ok: true, value: publicWrite }, policy: noPolicy }, true)).toMatchObject({ status: 'fail', observed: 'anyone may write: ACL grants WRITE to AllUsers' });
    const unreadable = { ok: false as const, code: 'AccessDenied', status: 403, message: 'access denied' };
    expect(judgePublicAccess(kyc, { block: unreadable, acl: { ok: true, value: ownerOnly }, policy: noPolicy }, false).status).toBe('error');
  });

  it('roundtrip: a failed delete is a failure naming the key', () => {
    const outcome = {
      ok: true as const,
      value: {
        key: 'bazaarhub-check/x.txt',
        bytes: 10,
        put: { ok: true as const, ms: 5 },
        get: { ok: true as const, ms: 3, matched: true },
        delete: { ok: false as const, ms: 2, code: 'AccessDenied', message: 'denied', answered: true, versioned: false },
        leftBehind: true,
      },
    };
    expect(judgeRoundtrip(products, outcome)).toMatchObject({ status: 'fail', observed: 'put and get ok; DELETE FAILED (denied): remove bazaarhub-check/x.txt by hand' });
  });

  it('maps SDK errors to sentences: region redirects, unknown codes, network failures', () => {
    expect(s3Failure({ name: 'PermanentRedirect', $metadata: { httpStatusCode: 301 }, message: 'The bucket you are attempting to access must be addressed using the specified endpoint.' }, 1000).message).toMatch(/another region/);
    expect(s3Failure({ name: 'InvalidBucketName', $metadata: { httpStatusCode: 400 }, message: 'The specified bucket is not valid.' }, 1000).message).toBe('InvalidBucketName (HTTP 400): The specified bucket is not valid.');
    expect(s3Failure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 1000)).toMatchObject({ code: 'ECONNREFUSED', message: 'cannot connect: connect ECONNREFUSED 127.0.0.1:9' });
  });
});
