/**
 * Everything the S3 probes learn from object storage: one `@aws-sdk/client-s3` client per run
 * (loaded on first use, pointed at AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL for S3-compatible
 * endpoints), and per bucket one answer for each setting (existence, default encryption, lifecycle,
 * public access block, ACL, policy status, versioning), memoized so every probe shares it.
 *
 * Settings are gathered as outcomes, not exceptions: "this bucket has no lifecycle configuration"
 * is S3's answer (404 NoSuchLifecycleConfiguration), which the probes judge like any other answer.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Finding, FindingDetail, ProbeContext } from '../engine/types.js';
import { combine, skipped } from '../engine/findings.js';
import type { Target } from '../target/target.js';
import { errorMessage } from '../util/errors.js';
import { abortable } from './store.js';
import { tlsTrust } from './trust.js';

export const BUCKET_ROLES = ['products', 'kyc'] as const;
export type BucketRole = (typeof BUCKET_ROLES)[number];
export const BUCKET_VARIABLES: Record<BucketRole, string> = { products: 'AWS_S3_BUCKET', kyc: 'AWS_S3_KYC_BUCKET' };

export interface S3Config {
  region: string;
  /** A custom endpoint (MinIO, R2, LocalStack, ...): AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL. */
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The client settings from BazaarHub's variables and the AWS SDK's own endpoint variables; path-style
 * addressing when AWS_S3_FORCE_PATH_STYLE=true or the endpoint is an IP address (or localhost), where
 * virtual-hosted names cannot resolve. Returns what is missing instead when a client cannot be built.
 */
export function s3Config(target: Target, override: S3Override = {}): { config: S3Config } | { missing: string } {
  const accessKeyId = target.get('AWS_ACCESS_KEY_ID');
  const secretAccessKey = target.get('AWS_SECRET_ACCESS_KEY');
  if (!accessKeyId || !secretAccessKey) return { missing: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set' };
  const endpoint = override.endpoint ? { name: 'the endpoint param', value: override.endpoint } : target.first('AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL');
  let host: string | undefined;
  if (endpoint) {
    try {
      host = new URL(endpoint.value).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return { missing: `${endpoint.name} is not a valid URL` };
    }
  }
  const region = override.region || (target.first('AWS_S3_REGION', 'AWS_REGION')?.value ?? (endpoint ? 'us-east-1' : undefined));
  if (!region) return { missing: 'AWS_REGION (or AWS_S3_REGION) is not set' };
  const forcePathStyle = target.get('AWS_S3_FORCE_PATH_STYLE')?.toLowerCase() === 'true' || (host !== undefined && (isIP(host) !== 0 || host === 'localhost'));
  const sessionToken = target.get('AWS_SESSION_TOKEN');
  return { config: { region, ...(endpoint ? { endpoint: endpoint.value } : {}), forcePathStyle, accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}

/** Per-probe endpoint/region params (e.g. a backup bucket in another region or store). */
export interface S3Override {
  endpoint?: string;
  region?: string;
}

type S3Sdk = typeof import('@aws-sdk/client-s3');

interface Connected {
  client: S3Client;
  sdk: S3Sdk;
  /** Roundtrips still cleaning up: the client is destroyed only after their deletes. */
  pending: Set<Promise<unknown>>;
}

/** One S3 client per run (per endpoint/region override), shared by every S3 probe. */
export function connect(ctx: ProbeContext, override: S3Override = {}): Promise<Connected> {
  const key = override.endpoint || override.region ? `s3:client ${override.endpoint ?? ''} ${override.region ?? ''}` : 's3:client';
  return ctx.facts.once(key, async () => {
    const resolved = s3Config(ctx.target, override);
    if ('missing' in resolved) throw new Error(resolved.missing);
    const { config } = resolved;
    // The SDK's notice that its 2027 releases need Node 22 is for this tool's maintainers (the
    // version is pinned in package.json), not for the release manager reading the report.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const [sdk, { Agent }] = await Promise.all([import('@aws-sdk/client-s3'), import('node:https')]);
    const client = new sdk.S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}) },
      maxAttempts: 2,
      // Checksums only where S3 requires them, so S3-compatible endpoints without CRC support work too.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { requestTimeout: ctx.options.timeoutMs, throwOnRequestTimeout: true, connectionTimeout: ctx.options.timeoutMs, httpsAgent: new Agent({ keepAlive: true, ...tlsTrust(ctx.options) }) },
    });
    const pending = new Set<Promise<unknown>>();
    ctx.facts.onClose(async () => {
      await Promise.allSettled([...pending]);
      client.destroy();
    }, 's3');
    return { client, sdk, pending };
  });
}

export type S3Outcome<T> = { ok: true; value: T } | { ok: false; code: string; status?: number; message: string };

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** S3's error code and a sentence saying what it means for the deployment (no credential values). */
export function s3Failure(error: unknown, timeoutMs: number): { ok: false; code: string; status?: number; message: string } {
  const failure = (error ?? {}) as SdkError;
  const status = failure.$metadata?.httpStatusCode;
  const code = failure.name && failure.name !== 'Error' ? failure.name : failure.code ?? 'Error';
  const explained: Record<string, string> = {
    SignatureDoesNotMatch: 'the secret access key does not match the access key id (SignatureDoesNotMatch)',
    InvalidAccessKeyId: 'S3 does not know this access key id (InvalidAccessKeyId)',
    AccessDenied: 'access denied (403 AccessDenied): the credentials lack the permission',
    Forbidden: 'access denied (403)',
    NoSuchBucket: 'the bucket does not exist (NoSuchBucket)',
    NotFound: 'the bucket does not exist (404)',
    RequestTimeTooSkewed: "this machine's clock differs from S3's by more than 15 minutes (RequestTimeTooSkewed)",
    TimeoutError: `no answer within ${timeoutMs} ms`,
    AbortError: 'the request was aborted (timeout or interrupt)',
  };
  const text = error instanceof Error ? errorMessage(error) : failure.message ?? String(error);
  const redirected = status === 301 || code === 'PermanentRedirect' ? 'the bucket is in another region than the one configured (301 PermanentRedirect): set AWS_REGION or AWS_S3_REGION to its region' : undefined;
  const message = explained[code] ?? redirected ?? (status ? `${code} (HTTP ${status}): ${text}` : `cannot connect: ${text}`);
  return { ok: false, code, ...(status ? { status } : {}), message };
}

/** One memoized call per bucket and setting, counted as one contact, its failure kept as an outcome. */
function bucketFact<T>(ctx: ProbeContext, bucket: string, aspect: string, call: (connected: Connected, signal: AbortSignal) => Promise<T>): Promise<S3Outcome<T>> {
  const fact = ctx.facts.once(`s3:${bucket}:${aspect}`, async (): Promise<S3Outcome<T>> => {
    const connected = await connect(ctx);
    try {
      return { ok: true, value: await ctx.facts.guard('s3', () => {
        ctx.facts.countContact('s3', `${bucket} ${aspect}`);
        return call(connected, ctx.facts.signal);
      }) };
    } catch (error) {
      return s3Failure(error, ctx.options.timeoutMs);
    }
  });
  return abortable(fact, ctx.signal);
}

export interface BucketHead {
  region?: string;
}

/**
 * HeadBucket. A HEAD answer has no body, so a 403/400 is refined with GetBucketLocation, whose XML
 * error says whether the secret is wrong (SignatureDoesNotMatch), the key unknown, or access denied.
 */
export async function bucketHead(ctx: ProbeContext, bucket: string): Promise<S3Outcome<BucketHead>> {
  const head = await bucketFact(ctx, bucket, 'head', async ({ client, sdk }, abortSignal) => {
    const output = await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), { abortSignal });
    return output.BucketRegion ? { region: output.BucketRegion } : {};
  });
  if (head.ok || (head.status !== 403 && head.status !== 400)) return head;
  const location = await bucketFact(ctx, bucket, 'location', async ({ client, sdk }, abortSignal) => {
    const output = await client.send(new sdk.GetBucketLocationCommand({ Bucket: bucket }), { abortSignal });
    return output.LocationConstraint || 'us-east-1';
  });
  if (location.ok) return { ...head, message: `${head.message}: the credentials can locate the bucket but lack s3:ListBucket` };
  return location;
}

export interface EncryptionRule {
  /** AES256 (SSE-S3), aws:kms (SSE-KMS) or aws:kms:dsse (DSSE-KMS). */
  algorithm: string;
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
}

export function bucketEncryption(ctx: ProbeContext, bucket: string): Promise<S3Outcome<EncryptionRule[]>> {
  return bucketFact(ctx, bucket, 'encryption', async ({ client, sdk }, abortSignal) => {
    const output = await client.send(new sdk.GetBucketEncryptionCommand({ Bucket: bucket }), { abortSignal });
    return (output.ServerSideEncryptionConfiguration?.Rules ?? []).map((rule) => ({
      algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'unknown',
      ...(rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ? { kmsKeyId: rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID } : {}),
      bucketKeyEnabled: rule.BucketKeyEnabled === true,
    }));
  });
}

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  prefix?: string;
  /** Archival: moves current or noncurrent versions to another storage class. */
  transition: boolean;
  /** Expiry: deletes current or noncurrent versions after some days. */
  expiration: boolean;
  abortIncompleteUploads: boolean;
}

export function bucketLifecycle(ctx: ProbeContext, bucket: string): Promise<S3Outcome<LifecycleRule[]>> {
  return bucketFact(ctx, bucket, 'lifecycle', async ({ client, sdk }, abortSignal) => {
    const output = await client.send(new sdk.GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), { abortSignal });
    return (output.Rules ?? []).map((rule, index) => {
      const prefix = rule.Filter?.Prefix ?? rule.Prefix;
      return {
        id: rule.ID ?? `rule ${index + 1}`,
        enabled: rule.Status === 'Enabled',
        ...(prefix ? { prefix } : {}),
        transition: Boolean(rule.Transitions?.length || rule.NoncurrentVersionTransitions?.length),
        expiration: Boolean(rule.Expiration?.Days || rule.Expiration?.Date || rule.NoncurrentVersionExpiration?.NoncurrentDays),
        abortIncompleteUploads: Boolean(rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation),
      };
    });
  });
}

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export function bucketPublicAccessBlock(ctx: ProbeContext, bucket: string): Promise<S3Outcome<PublicAccessBlock>> {
  return bucketFact(ctx, bucket, 'public-access-block', async ({ client, sdk }, abortSignal) => {
    const output = await client.send(new sdk.GetPublicAccessBlockCommand({ Bucket: bucket }), { abortSignal });
    const block = output.PublicAccessBlockConfiguration ?? {};
    return {
      BlockPublicAcls: block.BlockPublicAcls === true,
      IgnorePublicAcls: block.IgnorePublicAcls === true,
      BlockPublicPolicy: block.BlockPublicPolicy === true,
      RestrictPublicBuckets: block.RestrictPublicBuckets === true,
    };
  });
}

export interface AclGrant {
  /** `AllUsers`, `AuthenticatedUsers`, `LogDelivery` for groups; the canonical id or e-mail otherwise. */
  grantee: string;
  group: boolean;
  permission: string;
}

export function bucketAcl(ctx: ProbeContext, bucket: string): Promise<S3Outcome<AclGrant[]>> {
  return bucketFact(ctx, bucket, 'acl', async ({ client, sdk }, abortSignal) => {
    const output = await client.send(new sdk.GetBucketAclCommand({ Bucket: bucket }), { abortSignal });
    return (output.Grants ?? []).map((grant) => {
      const uri = grant.Grantee?.URI;
      return {
        grantee: uri ? uri.replace(/^.*\//, '') : grant.Grantee?.ID ?? grant.Grantee?.EmailAddress ?? 'unknown',
        group: Boolean(uri),
        permission: grant.Permission ?? 'unknown',
      };
    });
  });
}

export function bucketPolicyStatus(ctx: ProbeContext, bucket: string): Promise<S3Outcome<{ isPublic: boolean }>> {
  return bucketFact(ctx, bucket, 'policy-status', async ({ client, sdk }, abortSignal) => {
    const output = await client.send(new sdk.GetBucketPolicyStatusCommand({ Bucket: bucket }), { abortSignal });
    return { isPublic: output.PolicyStatus?.IsPublic === true };
  });
}

export interface Versioning {
  /** Enabled, Suspended, or undefined when versioning was never enabled. */
  status?: string;
  mfaDelete?: string;
}

export function bucketVersioning(ctx: ProbeContext, bucket: string): Promise<S3Outcome<Versioning>> {
  return bucketFact(ctx, bucket, 'versioning', async ({ client, sdk }, abortSignal) => {
    const output = await client.send(new sdk.GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal });
    return { ...(output.Status ? { status: output.Status } : {}), ...(output.MFADelete ? { mfaDelete: output.MFADelete } : {}) };
  });
}

export type StepOutcome = { ok: true; ms: number } | { ok: false; ms: number; code: string; message: string; answered: boolean };

export interface Roundtrip {
  key: string;
  bytes: number;
  put: StepOutcome;
  /** Absent when the put failed. */
  get?: StepOutcome & { matched?: boolean };
  /** Absent only when the put was refused outright, so that nothing was written. */
  delete?: StepOutcome & { versioned: boolean };
  /** Something of ours may remain: the object, or a version of it. */
  leftBehind: boolean;
}

/**
 * Puts one small object under `prefix`, reads it back and deletes it again, in `finally`: the delete
 * runs even when the get fails or the probe's own time runs out. In a versioned bucket it deletes the
 * exact version it wrote, so neither a noncurrent version nor a delete marker remains.
 */
export function roundtrip(ctx: ProbeContext, bucket: string, prefix: string): Promise<S3Outcome<Roundtrip>> {
  const fact = ctx.facts.once(`s3:${bucket}:roundtrip:${prefix}`, async (): Promise<S3Outcome<Roundtrip>> => {
    const { client, sdk, pending } = await connect(ctx);
    const run = writeReadDelete(ctx, client, sdk, bucket, prefix);
    pending.add(run);
    return run.finally(() => pending.delete(run));
  });
  return abortable(fact, ctx.signal);
}

async function writeReadDelete(ctx: ProbeContext, client: S3Client, sdk: S3Sdk, bucket: string, prefix: string): Promise<S3Outcome<Roundtrip>> {
  ctx.facts.countContact('s3', `${bucket} roundtrip`);
  const key = `${prefix}${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.txt`;
  const body = `bazaarhub-check roundtrip ${randomUUID()}\n`;
  const timed = async <T>(step: () => Promise<T>): Promise<{ value?: T; outcome: StepOutcome }> => {
    const started = Date.now();
    try {
      // Guarded like every S3 contact: the store learns whether S3 answers, which decides whether
      // the end of the run waits for this cleanup.
      const value = await ctx.facts.guard('s3', step);
      return { value, outcome: { ok: true, ms: Date.now() - started } };
    } catch (error) {
      const failure = s3Failure(error, ctx.options.timeoutMs);
      return { outcome: { ok: false, ms: Date.now() - started, code: failure.code, message: failure.message, answered: failure.status !== undefined } };
    }
  };
  const result: Roundtrip = { key, bytes: Buffer.byteLength(body), put: { ok: true, ms: 0 }, leftBehind: false };
  let versionId: string | undefined;
  try {
    const put = await timed(() => client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain; charset=utf-8' }), { abortSignal: ctx.facts.signal }));
    result.put = put.outcome;
    versionId = put.value?.VersionId;
    if (!put.outcome.ok) return { ok: true, value: result };
    const get = await timed(async () => {
      // The latest version is ours (the key is unique); reading by VersionId would need s3:GetObjectVersion.
      const output = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.facts.signal });
      return output.Body ? await output.Body.transformToString('utf8') : '';
    });
    result.get = { ...get.outcome, ...(get.outcome.ok ? { matched: get.value === body } : {}) };
    return { ok: true, value: result };
  } finally {
    // A put that S3 refused wrote nothing; one that timed out may have, so it is deleted too.
    if (result.put.ok || !result.put.answered) {
      const exact = versionId && versionId !== 'null' ? versionId : undefined;
      let removed = await timed(() => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key, ...(exact ? { VersionId: exact } : {}) })));
      let versioned = Boolean(exact);
      if (!removed.outcome.ok && exact) {
        // Without s3:DeleteObjectVersion, a plain delete still hides the object behind a delete marker.
        removed = await timed(() => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key })));
        versioned = false;
        result.leftBehind = true;
      }
      result.delete = { ...removed.outcome, versioned };
      if (!removed.outcome.ok) result.leftBehind = true;
    }
  }
}

export interface ResolvedBucket {
  role: BucketRole;
  variable: string;
  name: string;
}

/**
 * The frame every S3 probe shares: skipped (naming the variables) without credentials or buckets, a
 * `warn` detail for a role whose bucket variable is unset, then one judged detail per bucket.
 */
export async function forBuckets(
  ctx: ProbeContext,
  roles: readonly BucketRole[],
  expected: string,
  remediation: string,
  judge: (bucket: ResolvedBucket) => Promise<FindingDetail>,
): Promise<Finding> {
  const resolved = s3Config(ctx.target);
  if ('missing' in resolved) return skipped(resolved.missing, expected);
  const unique = [...new Set(roles)];
  const buckets = unique.flatMap((role) => {
    const name = ctx.target.get(BUCKET_VARIABLES[role]);
    return name ? [{ role, variable: BUCKET_VARIABLES[role], name }] : [];
  });
  const unset = unique.filter((role) => !ctx.target.get(BUCKET_VARIABLES[role])).map((role) => BUCKET_VARIABLES[role]);
  if (buckets.length === 0) return skipped(`${unset.join(' and ')} ${unset.length > 1 ? 'are' : 'is'} not set`, expected);
  const details = await Promise.all(
    buckets.map(async (bucket) => {
      try {
        return await judge(bucket);
      } catch (error) {
        // The probe's time ran out or the run was interrupted while S3 had not answered.
        return { subject: bucketSubject(bucket), status: 'error' as const, observed: errorMessage(error) };
      }
    }),
  );
  for (const variable of unset) details.push({ subject: variable, status: 'warn', observed: 'not set, so that bucket was not checked' });
  return combine(details, expected, remediation);
}

/** The subject of a bucket's detail line, e.g. `bazaarhub-kyc (kyc)`. */
export function bucketSubject(bucket: ResolvedBucket): string {
  return `${bucket.name} (${bucket.role})`;
}
