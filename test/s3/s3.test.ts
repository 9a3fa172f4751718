import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probesOf } from '../helpers/probes.js';
import type { Finding, Probe } from '../../src/engine/types.js';
import { s3Config } from '../../src/facts/s3.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { startS3, type RunningS3, type S3BucketState, type S3StandInOptions } from '../../src/standins/s3.js';
import { makeContext } from '../helpers/context.js';
import { probeById, runTogether, withSilentPort } from '../helpers/run-probe.js';
import { runProbe } from '../helpers/servers.js';

const probes = await probesOf('s3');

const probe = (id: string): Probe => probeById(probes, id);

const PRODUCTS = 'bazaarhub-products';
const KYC = 'bazaarhub-kyc';
const running: RunningS3[] = [];
let ca: KeyPair;
let leaf: KeyPair;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  leaf = await issueCertificate(ca);
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.close()));
});

function goodBuckets(): Record<string, S3BucketState> {
  return {
    [PRODUCTS]: { encryption: { algorithm: 'AES256' }, lifecycle: [{ id: 'archive', prefix: 'archive/', transitionDays: 90, storageClass: 'GLACIER_IR' }] },
    [KYC]: {
      encryption: { algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:ap-south-1:111122223333:key/0f6c3c1e-6d8a-4c52-9a57-2b1f7f0d9c11', bucketKeyEnabled: true },
      lifecycle: [{ id: 'retention', expirationDays: 2555, noncurrentExpirationDays: 30 }],
      versioning: 'Enabled',
    },
  };
}

async function storage(buckets: Record<string, S3BucketState> = goodBuckets(), options: Omit<S3StandInOptions, 'buckets'> = {}): Promise<RunningS3> {
  const server = await startS3({ region: 'ap-south-1', ...options, buckets });
  running.push(server);
  return server;
}

/** Like goodBuckets, with `change` applied to one bucket's state. */
function withBucket(name: string, change: S3BucketState): Record<string, S3BucketState> {
  const buckets = goodBuckets();
  buckets[name] = { ...buckets[name], ...change };
  return buckets;
}

function envFor(server: RunningS3, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: server.region,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_S3_BUCKET: PRODUCTS,
    AWS_S3_KYC_BUCKET: KYC,
    AWS_ENDPOINT_URL_S3: server.endpoint,
    ...extra,
  };
}

function check(id: string, env: Record<string, string>, params: Record<string, unknown> = {}, options: { ca?: string[]; timeoutMs?: number } = {}): Promise<Finding> {
  return runProbe(probe(id), env, params, options);
}

function statuses(finding: Finding): Record<string, string> {
  return Object.fromEntries((finding.details ?? []).map((detail) => [detail.subject, detail.status]));
}

describe('configuration', () => {
  it('every probe is skipped naming the variables when credentials or buckets are missing', async () => {
    for (const entry of probes) {
      const noKeys = await check(entry.id, { AWS_REGION: 'ap-south-1', AWS_S3_BUCKET: PRODUCTS, AWS_S3_KYC_BUCKET: KYC });
      expect(noKeys.status, entry.id).toBe('skipped');
      expect(noKeys.observed).toBe('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
      const noBuckets = await check(entry.id, { AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-secret' });
      expect(noBuckets.status, entry.id).toBe('skipped');
      expect(noBuckets.observed).toMatch(/^AWS_S3_(BUCKET|KYC_BUCKET)( and AWS_S3_KYC_BUCKET)? (is|are) not set$/);
    }
    const noRegion = await check('s3.buckets', { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-secret', AWS_S3_BUCKET: PRODUCTS });
    expect(noRegion.observed).toBe('AWS_REGION (or AWS_S3_REGION) is not set');
  });

  it('uses path-style addressing for IP endpoints, localhost and AWS_S3_FORCE_PATH_STYLE', () => {
    const style = (env: Record<string, string>) => {
      const resolved = s3Config(makeContext({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-secret', ...env }).target);
      return 'config' in resolved ? resolved.config : resolved;
    };
    expect(style({ AWS_REGION: 'ap-south-1' })).toMatchObject({ region: 'ap-south-1', forcePathStyle: false });
    expect(style({ AWS_ENDPOINT_URL: 'http://10.0.0.5:9000' })).toMatchObject({ region: 'us-east-1', forcePathStyle: true, endpoint: 'http://10.0.0.5:9000' });
    expect(style({ AWS_ENDPOINT_URL_S3: 'http://[::1]:9000', AWS_ENDPOINT_URL: 'https://other.example' })).toMatchObject({ forcePathStyle: true, endpoint: 'http://[::1]:9000' });
    expect(style({ AWS_ENDPOINT_URL_S3: 'https://minio.internal', AWS_REGION: 'eu-west-1', AWS_S3_REGION: 'ap-south-1' })).toMatchObject({ region: 'ap-south-1', forcePathStyle: false });
    expect(style({ AWS_ENDPOINT_URL_S3: 'https://minio.internal', AWS_S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({ forcePathStyle: true });
  });

  it('warns about an unset bucket variable while checking the other bucket', async () => {
    const server = await storage();
    const env = envFor(server);
    delete env.AWS_S3_KYC_BUCKET;
    const finding = await check('s3.buckets', env);
    expect(finding.status).toBe('warn');
    expect(statuses(finding)).toEqual({ [`${PRODUCTS} (products)`]: 'pass', AWS_S3_KYC_BUCKET: 'warn' });
  });
});

describe('s3.buckets', () => {
  it('passes when both buckets exist and the credentials reach them (over https with --ca)', async () => {
    const server = await storage(goodBuckets(), { tls: leaf });
    const finding = await check('s3.buckets', envFor(server), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('exists and is reachable with these credentials (region ap-south-1)');
  });

  it('fails when a bucket does not exist', async () => {
    const buckets = goodBuckets();
    delete buckets[KYC];
    const finding = await check('s3.buckets', envFor(await storage(buckets)));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe(`${KYC} (kyc): the bucket does not exist (404)`);
  });

  it('fails with SignatureDoesNotMatch when the secret is wrong, without printing either secret', async () => {
    const server = await storage();
    const wrong = 'wrongSecretKeyValue0123456789abcdefghij';
    const finding = await check('s3.buckets', envFor(server, { AWS_SECRET_ACCESS_KEY: wrong }));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('the secret access key does not match the access key id (SignatureDoesNotMatch)');
    expect(JSON.stringify(finding)).not.toContain(wrong);
    expect(JSON.stringify(finding)).not.toContain(server.secretAccessKey);
    expect(server.requests.map((request) => `${request.operation} ${request.status}`)).toContain('GetBucketLocation 403');
  });

  it('fails with InvalidAccessKeyId for an unknown key, and names a region mismatch', async () => {
    const server = await storage();
    expect((await check('s3.buckets', envFor(server, { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000' }))).observed).toContain('InvalidAccessKeyId');
    const region = await check('s3.buckets', envFor(server, { AWS_REGION: 'eu-west-1' }));
    expect(region.status).toBe('fail');
    expect(region.observed).toContain("the region 'eu-west-1' is wrong; expecting 'ap-south-1'");
  });

  it('fails when the bucket belongs to another account', async () => {
    const finding = await check('s3.buckets', envFor(await storage(withBucket(PRODUCTS, { foreign: true }))));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe(`${PRODUCTS} (products): access denied (403 AccessDenied): the credentials lack the permission`);
  });

  it('is an error when the endpoint does not answer', async () => {
    const server = await storage();
    await server.close();
    const finding = await check('s3.buckets', envFor(server));
    expect(finding.status).toBe('error');
    expect(finding.observed).toMatch(/cannot connect/);
  });
});

describe('timeouts', () => {
  it('is an error within the timeout when the endpoint accepts but never answers', async () => {
    await withSilentPort(async (port) => {
      const started = Date.now();
      const env = { AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-secret', AWS_S3_BUCKET: PRODUCTS, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` };
      const finding = await check('s3.buckets', env, {}, { timeoutMs: 800 });
      expect(finding.status).toBe('error');
      expect(finding.observed).toContain('no answer within 800 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});

describe('s3.encryption', () => {
  it('passes with SSE-S3 and SSE-KMS, naming the key only by its tail', async () => {
    const finding = await check('s3.encryption', envFor(await storage()), { kycRequiresKms: true });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toBe(`${PRODUCTS} (products): SSE-S3 (AES256); ${KYC} (kyc): SSE-KMS with customer managed key …9c11, bucket key enabled`);
  });

  it('fails when a bucket has no default encryption', async () => {
    const finding = await check('s3.encryption', envFor(await storage(withBucket(PRODUCTS, { encryption: null }))));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe(`${PRODUCTS} (products): no default encryption configured`);
  });

  it('fails SSE-S3 on the KYC bucket when KMS is required, and warns on the AWS managed key', async () => {
    const sseS3 = await storage(withBucket(KYC, { encryption: { algorithm: 'AES256' } }));
    expect((await check('s3.encryption', envFor(sseS3))).status).toBe('pass');
    const required = await check('s3.encryption', envFor(sseS3), { kycRequiresKms: true, buckets: ['kyc'] });
    expect(required.status).toBe('fail');
    expect(required.observed).toContain('KMS is required');
    const managed = await storage(withBucket(KYC, { encryption: { algorithm: 'aws:kms' } }));
    expect((await check('s3.encryption', envFor(managed), { kycRequiresKms: true })).status).toBe('warn');
  });

  it('is an error naming SignatureDoesNotMatch when the secret is wrong (S3 error XML)', async () => {
    const finding = await check('s3.encryption', envFor(await storage(), { AWS_SECRET_ACCESS_KEY: 'not-the-right-secret-at-all' }));
    expect(finding.status).toBe('error');
    expect(finding.observed).toContain('cannot read the encryption configuration: the secret access key does not match the access key id (SignatureDoesNotMatch)');
  });
});

describe('s3.lifecycle', () => {
  it('passes with archival and expiry rules', async () => {
    const finding = await check('s3.lifecycle', envFor(await storage()));
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('archive on archive/ (archival)');
    expect(finding.observed).toContain('retention (expiry)');
  });

  it('fails without a lifecycle configuration, and with only disabled or non-archival rules', async () => {
    const none = await check('s3.lifecycle', envFor(await storage(withBucket(KYC, { lifecycle: [] }))));
    expect(none.status).toBe('fail');
    expect(none.observed).toBe(`${KYC} (kyc): no lifecycle configuration`);
    const disabled = await check('s3.lifecycle', envFor(await storage(withBucket(KYC, { lifecycle: [{ id: 'old', status: 'Disabled', expirationDays: 30 }] }))));
    expect(disabled.observed).toBe(`${KYC} (kyc): no enabled rule archives or expires objects: old (expiry, disabled)`);
    const abortOnly = await check('s3.lifecycle', envFor(await storage(withBucket(PRODUCTS, { lifecycle: [{ id: 'uploads', abortIncompleteMultipartUploadDays: 7 }] }))));
    expect(abortOnly.status).toBe('fail');
  });
});

describe('s3.public-access', () => {
  it('passes when the KYC bucket blocks everything; a public products bucket is reported', async () => {
    const server = await storage(withBucket(PRODUCTS, { acl: 'public-read', policy: { public: true }, publicAccessBlock: null }));
    const finding = await check('s3.public-access', envFor(server));
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain(`${PRODUCTS} (products): may be public (allowed for this bucket): no public access block configured; ACL grants READ to AllUsers; bucket policy is public`);
    expect(finding.observed).toContain(`${KYC} (kyc): all four public access block flags on, no public ACL grant, no public policy`);
  });

  it('fails when a KYC block flag is off, the ACL is public or the policy is public', async () => {
    const flags = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: true };
    const flagOff = await check('s3.public-access', envFor(await storage(withBucket(KYC, { publicAccessBlock: flags }))));
    expect(flagOff.status).toBe('fail');
    expect(flagOff.observed).toBe(`${KYC} (kyc): public access block off: BlockPublicPolicy`);
    const acl = await check('s3.public-access', envFor(await storage(withBucket(KYC, { acl: 'authenticated-read' }))));
    expect(acl.observed).toBe(`${KYC} (kyc): ACL grants READ to AuthenticatedUsers`);
    const policy = await check('s3.public-access', envFor(await storage(withBucket(KYC, { policy: { public: true }, publicAccessBlock: null }))));
    expect(policy.observed).toBe(`${KYC} (kyc): no public access block configured; bucket policy is public`);
  });

  it('fails public write on the products bucket, and public read when productsMayBePublic is false', async () => {
    expect((await check('s3.public-access', envFor(await storage(withBucket(PRODUCTS, { acl: 'public-read-write' }))))).status).toBe('fail');
    const read = await storage(withBucket(PRODUCTS, { acl: 'public-read' }));
    expect((await check('s3.public-access', envFor(read), { productsMayBePublic: false })).status).toBe('fail');
  });

  it('is an error when the ACL cannot be read', async () => {
    const finding = await check('s3.public-access', envFor(await storage(withBucket(KYC, { deny: ['GetBucketAcl'] }))));
    expect(finding.status).toBe('error');
    expect(finding.observed).toContain('cannot read ACL (access denied (403 AccessDenied)');
  });
});

describe('s3.versioning', () => {
  it('passes when the KYC bucket is versioned, fails when suspended or never enabled', async () => {
    expect((await check('s3.versioning', envFor(await storage()))).status).toBe('pass');
    const suspended = await check('s3.versioning', envFor(await storage(withBucket(KYC, { versioning: 'Suspended' }))));
    expect(suspended.status).toBe('fail');
    expect(suspended.observed).toContain('versioning suspended');
    const never = await check('s3.versioning', envFor(await storage()), { buckets: ['products', 'kyc'] });
    expect(never.status).toBe('fail');
    expect(never.observed).toBe(`${PRODUCTS} (products): versioning never enabled: an overwrite or delete loses the document`);
  });
});

describe('s3.roundtrip', () => {
  it('puts, gets and deletes one object under the prefix and leaves nothing behind', async () => {
    const server = await storage();
    const finding = await check('s3.roundtrip', envFor(server));
    expect(finding.status).toBe('pass');
    expect(server.objects(PRODUCTS)).toEqual([]);
    const writes = server.requests.filter((request) => request.operation === 'PutObject');
    expect(writes).toHaveLength(1);
    expect(writes[0]?.key).toMatch(/^bazaarhub-check\/.+\.txt$/);
  });

  it('deletes the exact version in a versioned bucket: no noncurrent version, no delete marker', async () => {
    const server = await storage();
    const finding = await check('s3.roundtrip', envFor(server), { buckets: ['kyc'], prefix: 'ops/probe/' });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('(exact version)');
    expect(server.objects(KYC)).toEqual([]);
    expect(server.requests.find((request) => request.operation === 'PutObject')?.key).toMatch(/^ops\/probe\//);
  });

  it('warns when only a plain delete is allowed in a versioned bucket (a noncurrent version remains)', async () => {
    const server = await storage(withBucket(KYC, { deny: ['DeleteObjectVersion'] }));
    const finding = await check('s3.roundtrip', envFor(server), { buckets: ['kyc'] });
    expect(finding.status).toBe('warn');
    expect(finding.observed).toContain('a noncurrent version of bazaarhub-check/');
  });

  it('still deletes the object when the get fails', async () => {
    const server = await storage(withBucket(PRODUCTS, { fail: ['GetObject'] }));
    const finding = await check('s3.roundtrip', envFor(server));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/put ok, get failed: InternalError \(HTTP 500\).*; test object deleted$/);
    expect(server.objects(PRODUCTS)).toEqual([]);
  });

  it('fails when the read returns other bytes, and still cleans up', async () => {
    const server = await storage(withBucket(PRODUCTS, { corruptReads: true }));
    const finding = await check('s3.roundtrip', envFor(server));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('get returned different bytes; test object deleted');
    expect(server.objects(PRODUCTS)).toEqual([]);
  });

  it('cleans up even when the probe runs out of time during the read', async () => {
    const server = await storage(withBucket(PRODUCTS, { latency: { GetObject: 1_500 } }));
    const ctx = makeContext(envFor(server));
    const target = probe('s3.roundtrip');
    // The runner aborts a probe's signal at its timeout; the shared fact carries on to its delete.
    const finding = await target.run({ ...ctx, signal: AbortSignal.timeout(300) }, target.params.parse({}));
    expect(finding.status).toBe('error');
    expect(server.objects(PRODUCTS)).toHaveLength(1);
    await ctx.close(); // waits for the roundtrip's delete before destroying the client
    expect(server.objects(PRODUCTS)).toEqual([]);
    expect(server.requests.map((request) => request.operation)).toEqual(['PutObject', 'GetObject', 'DeleteObject']);
  });

  it('fails without a delete attempt when the put is refused', async () => {
    const server = await storage(withBucket(PRODUCTS, { deny: ['PutObject'] }));
    const finding = await check('s3.roundtrip', envFor(server));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe(`${PRODUCTS} (products): put failed: access denied (403 AccessDenied): the credentials lack the permission`);
    expect(server.requests.some((request) => request.operation === 'DeleteObject')).toBe(false);
  });

  it('fails naming the key when the delete is refused', async () => {
    const server = await storage(withBucket(PRODUCTS, { deny: ['DeleteObject'] }));
    const finding = await check('s3.roundtrip', envFor(server));
    expect(finding.status).toBe('fail');
    const left = server.objects(PRODUCTS);
    expect(left).toHaveLength(1);
    expect(finding.observed).toContain(`DELETE FAILED (access denied (403 AccessDenied): the credentials lack the permission): remove ${left[0]?.key} by hand`);
  });
});

describe('one client and one request per bucket setting per run', () => {
  it('shares bucket facts between probes', async () => {
    const server = await storage();
    const { findings, contacts } = await runTogether(probes, envFor(server), { buckets: ['products', 'kyc'] });
    expect(findings.map((finding) => finding.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'fail', 'pass']);
    const calls = server.requests.map((request) => `${request.operation} ${request.bucket}`);
    const reads = calls.filter((call) => !/Object/.test(call));
    expect(new Set(reads).size).toBe(reads.length);
    expect(reads).toHaveLength(2 * 7);
    expect([...contacts.values()].every((count) => count === 1)).toBe(true);
    expect(server.objects(PRODUCTS)).toEqual([]);
    expect(server.objects(KYC)).toEqual([]);
  });
});
