/**
 * The S3 stand-in itself, driven by the real SDK: its write paths (bucket settings the probes then
 * read), virtual-hosted addressing, version listing, clock-skew and checksum checks.
 */
import { lookup as dnsLookup } from 'node:dns';
import { Agent } from 'node:http';
import {
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { probesOf } from '../helpers/probes.js';
import { startS3, type RunningS3 } from '../../src/standins/s3.js';
import { probeById } from '../helpers/run-probe.js';
import { runProbe } from '../helpers/servers.js';

const probes = await probesOf('s3');

const running: RunningS3[] = [];
const clients: S3Client[] = [];

afterAll(async () => {
  clients.forEach((client) => client.destroy());
  await Promise.all(running.map((server) => server.close()));
});

async function storage(): Promise<RunningS3> {
  const server = await startS3({ region: 'ap-south-1', buckets: { media: {}, vault: { versioning: 'Enabled' } } });
  running.push(server);
  return server;
}

function client(server: RunningS3, extra: Partial<S3ClientConfig> = {}): S3Client {
  const created = new S3Client({
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    maxAttempts: 1,
    ...extra,
  });
  clients.push(created);
  return created;
}

const env = (server: RunningS3) => ({
  AWS_REGION: server.region,
  AWS_ACCESS_KEY_ID: server.accessKeyId,
  AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
  AWS_ENDPOINT_URL_S3: server.endpoint,
  AWS_S3_BUCKET: 'media',
  AWS_S3_KYC_BUCKET: 'vault',
});

describe('S3 stand-in', () => {
  it('stores bucket settings written through the SDK (checksummed PUTs included) and serves them to the probes', async () => {
    const server = await storage();
    const s3 = client(server);
    await s3.send(new PutBucketEncryptionCommand({ Bucket: 'vault', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/kyc-documents' }, BucketKeyEnabled: true }] } }));
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'vault', PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'vault', VersioningConfiguration: { Status: 'Suspended' } }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'media',
        LifecycleConfiguration: { Rules: [{ ID: 'cold', Status: 'Enabled', Filter: { Prefix: 'old/' }, Transitions: [{ Days: 60, StorageClass: 'GLACIER_IR' }] }] },
      }),
    );
    const s3Probe = (id: string, params: Record<string, unknown> = {}) => runProbe(probeById(probes, id), env(server), params);
    expect((await s3Probe('s3.encryption', { buckets: ['kyc'], kycRequiresKms: true })).observed).toBe('vault (kyc): SSE-KMS with customer managed alias kyc-documents, bucket key enabled');
    expect((await s3Probe('s3.public-access', { buckets: ['kyc'] })).observed).toBe('vault (kyc): public access block off: RestrictPublicBuckets');
    expect((await s3Probe('s3.versioning')).status).toBe('fail');
    expect((await s3Probe('s3.lifecycle', { buckets: ['products'] })).observed).toBe('media (products): 1 archival/expiry rule(s): cold on old/ (archival)');
  });

  it('answers virtual-hosted-style requests (bucket.localhost)', async () => {
    const server = await storage();
    const port = new URL(server.endpoint).port;
    // *.localhost resolves to 127.0.0.1 here without touching any DNS server.
    const lookup = ((_host: string, options: object, callback: (...args: unknown[]) => void) => dnsLookup('127.0.0.1', options, callback)) as unknown as typeof dnsLookup;
    const s3 = client(server, { endpoint: `http://localhost:${port}`, forcePathStyle: false, requestHandler: { httpAgent: new Agent({ lookup }) } });
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'a b/c.txt', Body: 'hello' }));
    expect(server.requests.at(-1)).toMatchObject({ operation: 'PutObject', bucket: 'media', key: 'a b/c.txt', status: 200 });
    expect(server.objects('media').map((version) => version.body?.toString())).toEqual(['hello']);
  });

  it('keeps versions and delete markers, listed by ListObjectVersions', async () => {
    const server = await storage();
    const s3 = client(server);
    await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'doc.pdf', Body: 'v1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'doc.pdf', Body: 'v2' }));
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: 'vault' }));
    expect(listed.Versions?.map((version) => version.IsLatest)).toEqual([true, false]);
    const roundtrip = await runProbe(probeById(probes, 's3.roundtrip'), env(server), { buckets: ['kyc'] });
    expect(roundtrip.status).toBe('pass');
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: 'vault', Prefix: 'bazaarhub-check/' }));
    expect(after.Versions ?? []).toEqual([]);
    expect(after.DeleteMarkers ?? []).toEqual([]);
  });

  it('refuses a request signed with a clock more than 15 minutes off (RequestTimeTooSkewed)', async () => {
    const server = await storage();
    const s3 = client(server, { systemClockOffset: -20 * 60 * 1000 });
    await expect(s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'k', Body: 'x' }))).rejects.toMatchObject({ name: 'RequestTimeTooSkewed', $metadata: { httpStatusCode: 403 } });
  });

  it('verifies CRC32 checksums sent with the object (BadDigest)', async () => {
    const server = await storage();
    const s3 = client(server);
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'ok', Body: 'payload', ChecksumAlgorithm: 'CRC32' }));
    await expect(s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'bad', Body: 'payload', ChecksumCRC32: 'AAAAAA==' }))).rejects.toMatchObject({ name: 'BadDigest' });
    expect(server.objects('media').map((version) => version.key)).toEqual(['ok']);
  });
});
