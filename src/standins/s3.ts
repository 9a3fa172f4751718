/**
 * A stand-in Amazon S3 endpoint on 127.0.0.1: an HTTP(S) server answering S3's REST/XML API for the
 * calls the s3.* probes make (HeadBucket; Get/Put/Delete bucket encryption, lifecycle, public access
 * block and versioning; GetBucketAcl; GetBucketPolicyStatus; Put/Get/Head/DeleteObject with
 * versions; ListObjectsV2; ListObjectVersions), path-style or virtual-hosted (`bucket.localhost`).
 *
 * Every request must carry a valid AWS Signature Version 4 Authorization header, verified against the configured key pair exactly as S3 does: an unknown key gets
 * InvalidAccessKeyId, a wrong secret SignatureDoesNotMatch (403) with the canonical request and
 * string to sign, a wrong region AuthorizationHeaderMalformed, a skewed clock RequestTimeTooSkewed,
 * a body that does not match x-amz-content-sha256 XAmzContentSHA256Mismatch. Bucket settings start
 * at today's AWS defaults (SSE-S3 encryption, all four public access block flags) and each can be
 * set to a good or bad state through the options object.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import type { StandIn } from '../demo/standin.js';
import { listenLocal } from './listen.js';
import { byCodeUnit } from '../util/order.js';

export type S3Operation =
  | 'HeadBucket'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'GetBucketLocation'
  | 'GetBucketEncryption'
  | 'PutBucketEncryption'
  | 'DeleteBucketEncryption'
  | 'GetBucketLifecycleConfiguration'
  | 'PutBucketLifecycleConfiguration'
  | 'DeleteBucketLifecycle'
  | 'GetPublicAccessBlock'
  | 'PutPublicAccessBlock'
  | 'DeletePublicAccessBlock'
  | 'GetBucketAcl'
  | 'GetBucketPolicyStatus'
  | 'GetBucketVersioning'
  | 'PutBucketVersioning'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject';

/** IAM actions beyond the operation names: acting on a specific version needs its own permission. */
export type S3Action = S3Operation | 'GetObjectVersion' | 'DeleteObjectVersion';

export interface S3LifecycleRule {
  id: string;
  status?: 'Enabled' | 'Disabled';
  prefix?: string;
  transitionDays?: number;
  storageClass?: string;
  expirationDays?: number;
  noncurrentExpirationDays?: number;
  abortIncompleteMultipartUploadDays?: number;
}

export interface S3PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export interface S3BucketState {
  /** Default encryption; omitted means SSE-S3 (AES256, the AWS default since 2023); null means none (404). */
  encryption?: { algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse'; kmsKeyId?: string; bucketKeyEnabled?: boolean } | null;
  lifecycle?: S3LifecycleRule[];
  /** Omitted means all four flags on (the AWS default since 2023); null means no configuration (404). */
  publicAccessBlock?: S3PublicAccessBlock | null;
  /** Canned ACL the bucket carries (default private). */
  acl?: 'private' | 'public-read' | 'public-read-write' | 'authenticated-read';
  /** Bucket policy: omitted or null means none (NoSuchBucketPolicy); otherwise whether S3 evaluates it as public. */
  policy?: { public: boolean } | null;
  versioning?: 'Enabled' | 'Suspended';
  /** The bucket belongs to another account: every request gets 403 AccessDenied. */
  foreign?: boolean;
  /** Actions the credentials' IAM policy does not allow (403 AccessDenied). */
  deny?: S3Action[];
  /** Operations that fail with 500 InternalError. */
  fail?: S3Operation[];
  /** GetObject returns bytes other than those stored. */
  corruptReads?: boolean;
  /** Milliseconds to wait before answering an operation (a slow or congested endpoint). */
  latency?: Partial<Record<S3Operation, number>>;
}

export interface S3StandInOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  buckets?: Record<string, S3BucketState>;
  tls?: { key: string; cert: string };
}

export interface StoredVersion {
  key: string;
  versionId: string;
  deleteMarker: boolean;
  body?: Buffer;
  contentType?: string;
  etag?: string;
  lastModified: Date;
}

export interface RunningS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  options: S3StandInOptions;
  /** Every request: the operation, bucket and key, and the HTTP status answered. */
  requests: Array<{ operation: S3Operation | 'unknown'; bucket?: string; key?: string; status: number }>;
  /** Every stored version and delete marker of a bucket, oldest first. */
  objects(bucket: string): StoredVersion[];
  close(): Promise<void>;
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MAX_SKEW_MS = 15 * 60 * 1000;
const OWNER_ID = createHash('sha256').update('bazaarhub-owner').digest('hex');

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char] ?? char);
}

/** RFC 3986 encoding as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

interface SignedRequest {
  credential: Credential;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
}

function parseCredential(value: string): Credential {
  const [accessKeyId, date, region, service, terminator] = value.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request') {
    throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  return { accessKeyId, date, region, service };
}

/** Reads the SigV4 parts from the Authorization header (presigned URLs are not served: no probe uses them). */
function signedRequest(req: IncomingMessage): SignedRequest | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(header);
  if (!match?.[1]) throw new S3Error(400, 'InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: header.split(' ')[0] ?? '' });
  const parts = Object.fromEntries(match[1].split(',').map((part) => part.trim().split('=') as [string, string]));
  if (!parts.Credential || !parts.SignedHeaders || !parts.Signature) {
    throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (!payloadHash) throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  return { credential: parseCredential(parts.Credential), signedHeaders: parts.SignedHeaders.split(';'), signature: parts.Signature, amzDate, payloadHash: String(payloadHash) };
}

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** The raw query as ordered pairs, decoded (`+` is a literal plus in S3 query strings signed by SigV4). */
function queryPairs(rawQuery: string): Array<[string, string]> {
  if (!rawQuery) return [];
  return rawQuery.split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    return [decodeURIComponent(key), decodeURIComponent(value)];
  });
}

/** The canonical request and string to sign of SigV4 for S3 (paths are not normalised, each segment encoded once). */
function canonical(req: IncomingMessage, rawPath: string, query: Array<[string, string]>, signed: SignedRequest): { canonicalRequest: string; stringToSign: string } {
  const path = rawPath.split('/').map((segment) => uriEncode(decodeURIComponent(segment))).join('/');
  const canonicalQuery = query
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => byCodeUnit(a, b) || byCodeUnit(av, bv))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headers = signed.signedHeaders
    .map((name) => {
      const raw = req.headers[name];
      const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
      return `${name}:${String(value).trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [req.method ?? 'GET', path, canonicalQuery, headers, signed.signedHeaders.join(';'), signed.payloadHash].join('\n');
  const scope = `${signed.credential.date}/${signed.credential.region}/${signed.credential.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', signed.amzDate, scope, sha256(canonicalRequest)].join('\n');
  return { canonicalRequest, stringToSign };
}

function signature(secret: string, credential: Credential, stringToSign: string): string {
  const dateKey = hmac(`AWS4${secret}`, credential.date);
  const regionKey = hmac(dateKey, credential.region);
  const serviceKey = hmac(regionKey, credential.service);
  const signingKey = hmac(serviceKey, 'aws4_request');
  return hmac(signingKey, stringToSign).toString('hex');
}

function hexBytes(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/** Decodes an `aws-chunked` body (STREAMING-UNSIGNED-PAYLOAD-TRAILER): size;chunk\r\n ... 0\r\ntrailers. */
function decodeAwsChunked(body: Buffer): { data: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new S3Error(400, 'IncompleteBody', 'The request body terminated unexpectedly');
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) throw new S3Error(400, 'InvalidChunkSizeError', 'Only the last chunk is allowed to have a size less than 8192 bytes');
    offset = lineEnd + 2;
    if (size === 0) break;
    parts.push(body.subarray(offset, offset + size));
    offset += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(parts), trailers };
}

function operationOf(method: string, bucket: string | undefined, key: string | undefined, query: Array<[string, string]>): S3Operation | 'unknown' {
  const has = (name: string) => query.some(([k]) => k === name);
  if (!bucket) return 'unknown';
  if (key) {
    return ({ PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' } as Record<string, S3Operation>)[method] ?? 'unknown';
  }
  const sub: Array<[string, Partial<Record<string, S3Operation>>]> = [
    ['encryption', { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption', DELETE: 'DeleteBucketEncryption' }],
    ['lifecycle', { GET: 'GetBucketLifecycleConfiguration', PUT: 'PutBucketLifecycleConfiguration', DELETE: 'DeleteBucketLifecycle' }],
    ['publicAccessBlock', { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' }],
    ['acl', { GET: 'GetBucketAcl' }],
    ['policyStatus', { GET: 'GetBucketPolicyStatus' }],
    ['versioning', { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' }],
    ['versions', { GET: 'ListObjectVersions' }],
    ['location', { GET: 'GetBucketLocation' }],
  ];
  for (const [name, byMethod] of sub) if (has(name)) return byMethod[method] ?? 'unknown';
  if (method === 'HEAD') return 'HeadBucket';
  if (method === 'GET') return 'ListObjectsV2';
  return 'unknown';
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]?.trim();
}

function tags(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((match) => match[1] ?? '');
}

function numberTag(xml: string, name: string): number | undefined {
  const value = tag(xml, name);
  return value === undefined ? undefined : Number(value);
}

function lifecycleXml(rules: S3LifecycleRule[]): string {
  const rule = (r: S3LifecycleRule) =>
    [
      '<Rule>',
      `<ID>${xmlEscape(r.id)}</ID>`,
      `<Filter><Prefix>${xmlEscape(r.prefix ?? '')}</Prefix></Filter>`,
      `<Status>${r.status ?? 'Enabled'}</Status>`,
      r.transitionDays !== undefined ? `<Transition><Days>${r.transitionDays}</Days><StorageClass>${r.storageClass ?? 'GLACIER'}</StorageClass></Transition>` : '',
      r.expirationDays !== undefined ? `<Expiration><Days>${r.expirationDays}</Days></Expiration>` : '',
      r.noncurrentExpirationDays !== undefined ? `<NoncurrentVersionExpiration><NoncurrentDays>${r.noncurrentExpirationDays}</NoncurrentDays></NoncurrentVersionExpiration>` : '',
      r.abortIncompleteMultipartUploadDays !== undefined ? `<AbortIncompleteMultipartUpload><DaysAfterInitiation>${r.abortIncompleteMultipartUploadDays}</DaysAfterInitiation></AbortIncompleteMultipartUpload>` : '',
      '</Rule>',
    ].join('');
  return `<LifecycleConfiguration xmlns="${XMLNS}">${rules.map(rule).join('')}</LifecycleConfiguration>`;
}

function parseLifecycle(xml: string): S3LifecycleRule[] {
  return tags(xml, 'Rule').map((rule, index) => {
    const transition = tag(rule, 'Transition');
    const expiration = tag(rule, 'Expiration');
    const noncurrent = tag(rule, 'NoncurrentVersionExpiration');
    const abort = tag(rule, 'AbortIncompleteMultipartUpload');
    const prefix = tag(rule, 'Prefix');
    const parsed: S3LifecycleRule = { id: tag(rule, 'ID') ?? `rule-${index + 1}`, status: tag(rule, 'Status') === 'Disabled' ? 'Disabled' : 'Enabled' };
    if (prefix) parsed.prefix = prefix;
    if (transition) {
      const days = numberTag(transition, 'Days');
      if (days !== undefined) parsed.transitionDays = days;
      const storageClass = tag(transition, 'StorageClass');
      if (storageClass) parsed.storageClass = storageClass;
    }
    const expirationDays = expiration ? numberTag(expiration, 'Days') : undefined;
    if (expirationDays !== undefined) parsed.expirationDays = expirationDays;
    const noncurrentDays = noncurrent ? numberTag(noncurrent, 'NoncurrentDays') : undefined;
    if (noncurrentDays !== undefined) parsed.noncurrentExpirationDays = noncurrentDays;
    const abortDays = abort ? numberTag(abort, 'DaysAfterInitiation') : undefined;
    if (abortDays !== undefined) parsed.abortIncompleteMultipartUploadDays = abortDays;
    return parsed;
  });
}

function aclXml(acl: NonNullable<S3BucketState['acl']>): string {
  const owner = `<ID>${OWNER_ID}</ID><DisplayName>bazaarhub</DisplayName>`;
  const grant = (grantee: string, permission: string) => `<Grant>${grantee}<Permission>${permission}</Permission></Grant>`;
  const group = (name: string) => `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/${name}</URI></Grantee>`;
  const grants = [grant(`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${owner}</Grantee>`, 'FULL_CONTROL')];
  if (acl === 'public-read' || acl === 'public-read-write') grants.push(grant(group('AllUsers'), 'READ'));
  if (acl === 'public-read-write') grants.push(grant(group('AllUsers'), 'WRITE'));
  if (acl === 'authenticated-read') grants.push(grant(group('AuthenticatedUsers'), 'READ'));
  return `<AccessControlPolicy xmlns="${XMLNS}"><Owner>${owner}</Owner><AccessControlList>${grants.join('')}</AccessControlList></AccessControlPolicy>`;
}

function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export async function startS3(initial: S3StandInOptions = {}): Promise<RunningS3> {
  const options: S3StandInOptions = { ...initial, buckets: { ...(initial.buckets ?? {}) } };
  const region = options.region ?? 'us-east-1';
  const accessKeyId = options.accessKeyId ?? `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = options.secretAccessKey ?? randomBytes(30).toString('base64');
  const store = new Map<string, StoredVersion[]>();
  const requests: RunningS3['requests'] = [];

  const versionsOf = (bucket: string, key: string): StoredVersion[] => {
    const id = `${bucket}/${key}`;
    let list = store.get(id);
    if (!list) {
      list = [];
      store.set(id, list);
    }
    return list;
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rid = requestId();
      const hostId = randomBytes(48).toString('base64');
      const base = { 'x-amz-request-id': rid, 'x-amz-id-2': hostId, server: 'AmazonS3', date: new Date().toUTCString() };
      const entry: RunningS3['requests'][number] = { operation: 'unknown', status: 0 };
      requests.push(entry);
      const reply = (status: number, headers: Record<string, string>, body?: string | Buffer) => {
        entry.status = status;
        const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
        const write = () => {
          if (res.destroyed) return;
          res.writeHead(status, { ...base, ...headers, ...(payload ? { 'content-length': String(payload.length) } : status === 204 ? {} : { 'content-length': '0' }) });
          res.end(req.method === 'HEAD' ? undefined : payload);
        };
        const delay = entry.bucket && entry.operation !== 'unknown' ? options.buckets?.[entry.bucket]?.latency?.[entry.operation] : undefined;
        if (delay) setTimeout(write, delay);
        else write();
      };
      try {
        handle(req, Buffer.concat(chunks), entry, reply);
      } catch (error) {
        const failure = error instanceof S3Error ? error : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
        if (req.method === 'HEAD') return reply(failure.status, failure.headers);
        const fields = Object.entries(failure.fields).map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`).join('');
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${failure.code}</Code><Message>${xmlEscape(failure.message)}</Message>${fields}<RequestId>${rid}</RequestId><HostId>${hostId}</HostId></Error>`;
        reply(failure.status, { 'content-type': 'application/xml', ...failure.headers }, xml);
      }
    });
  };

  const handle = (req: IncomingMessage, body: Buffer, entry: RunningS3['requests'][number], reply: (status: number, headers: Record<string, string>, body?: string | Buffer) => void) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = queryPairs(q < 0 ? '' : rawUrl.slice(q + 1));
    const method = req.method ?? 'GET';

    // Virtual-hosted style (`bucket.localhost:port`), else path style (`/bucket/key`).
    const hostname = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const virtual = /^(.+)\.localhost$/.exec(hostname)?.[1];
    const segments = rawPath.split('/').slice(1);
    const bucket = virtual ?? (segments[0] ? decodeURIComponent(segments[0]) : undefined);
    const keyRaw = virtual ? segments.join('/') : segments.slice(1).join('/');
    const key = keyRaw ? decodeURIComponent(keyRaw) : undefined;
    const operation = operationOf(method, bucket, key, query);
    Object.assign(entry, { operation, ...(bucket ? { bucket } : {}), ...(key ? { key } : {}) });

    authenticate(req, rawPath, query, body);
    const payload = payloadOf(req, body);

    if (!bucket) throw new S3Error(403, 'AccessDenied', 'Access Denied');
    const state = options.buckets?.[bucket];
    if (!state) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    const versioned = query.some(([name]) => name === 'versionId');
    const action = operation === 'GetObject' && versioned ? 'GetObjectVersion' : operation === 'DeleteObject' && versioned ? 'DeleteObjectVersion' : operation;
    if (state.foreign || (action !== 'unknown' && state.deny?.includes(action))) throw new S3Error(403, 'AccessDenied', 'Access Denied');
    if (operation !== 'unknown' && state.fail?.includes(operation)) throw new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    const xml = (text: string) => reply(200, { 'content-type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
    const encryptionHeaders = (): Record<string, string> => {
      const encryption = state.encryption === undefined ? { algorithm: 'AES256' as const } : state.encryption;
      if (!encryption) return {};
      return {
        'x-amz-server-side-encryption': encryption.algorithm,
        ...(encryption.algorithm !== 'AES256' ? { 'x-amz-server-side-encryption-aws-kms-key-id': encryption.kmsKeyId ?? `arn:aws:kms:${region}:111122223333:key/aws-s3-managed` } : {}),
        ...(encryption.bucketKeyEnabled ? { 'x-amz-server-side-encryption-bucket-key-enabled': 'true' } : {}),
      };
    };

    switch (operation) {
      case 'HeadBucket':
        return reply(200, { 'x-amz-bucket-region': region, 'x-amz-access-point-alias': 'false' });
      case 'GetBucketLocation':
        return xml(`<LocationConstraint xmlns="${XMLNS}">${region === 'us-east-1' ? '' : region}</LocationConstraint>`);
      case 'GetBucketEncryption': {
        const encryption = state.encryption === undefined ? { algorithm: 'AES256' as const } : state.encryption;
        if (!encryption) throw new S3Error(404, 'ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', { BucketName: bucket });
        const kms = encryption.kmsKeyId ? `<KMSMasterKeyID>${xmlEscape(encryption.kmsKeyId)}</KMSMasterKeyID>` : '';
        return xml(
          `<ServerSideEncryptionConfiguration xmlns="${XMLNS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${encryption.algorithm}</SSEAlgorithm>${kms}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${encryption.bucketKeyEnabled ? 'true' : 'false'}</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
        );
      }
      case 'PutBucketEncryption': {
        const algorithm = tag(payload.toString('utf8'), 'SSEAlgorithm');
        if (algorithm !== 'AES256' && algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse') throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
        const kmsKeyId = tag(payload.toString('utf8'), 'KMSMasterKeyID');
        state.encryption = { algorithm, ...(kmsKeyId ? { kmsKeyId } : {}), bucketKeyEnabled: tag(payload.toString('utf8'), 'BucketKeyEnabled') === 'true' };
        return reply(200, {});
      }
      case 'DeleteBucketEncryption':
        state.encryption = null;
        return reply(204, {});
      case 'GetBucketLifecycleConfiguration':
        if (!state.lifecycle?.length) throw new S3Error(404, 'NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', { BucketName: bucket });
        return reply(200, { 'content-type': 'application/xml', 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' }, `<?xml version="1.0" encoding="UTF-8"?>\n${lifecycleXml(state.lifecycle)}`);
      case 'PutBucketLifecycleConfiguration':
        state.lifecycle = parseLifecycle(payload.toString('utf8'));
        return reply(200, { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' });
      case 'DeleteBucketLifecycle':
        state.lifecycle = [];
        return reply(204, {});
      case 'GetPublicAccessBlock': {
        const block = state.publicAccessBlock === undefined ? { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true } : state.publicAccessBlock;
        if (!block) throw new S3Error(404, 'NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', { BucketName: bucket });
        return xml(
          `<PublicAccessBlockConfiguration xmlns="${XMLNS}"><BlockPublicAcls>${block.blockPublicAcls}</BlockPublicAcls><IgnorePublicAcls>${block.ignorePublicAcls}</IgnorePublicAcls><BlockPublicPolicy>${block.blockPublicPolicy}</BlockPublicPolicy><RestrictPublicBuckets>${block.restrictPublicBuckets}</RestrictPublicBuckets></PublicAccessBlockConfiguration>`,
        );
      }
      case 'PutPublicAccessBlock': {
        const text = payload.toString('utf8');
        state.publicAccessBlock = {
          blockPublicAcls: tag(text, 'BlockPublicAcls') === 'true',
          ignorePublicAcls: tag(text, 'IgnorePublicAcls') === 'true',
          blockPublicPolicy: tag(text, 'BlockPublicPolicy') === 'true',
          restrictPublicBuckets: tag(text, 'RestrictPublicBuckets') === 'true',
        };
        return reply(200, {});
      }
      case 'DeletePublicAccessBlock':
        state.publicAccessBlock = null;
        return reply(204, {});
      case 'GetBucketAcl':
        return xml(aclXml(state.acl ?? 'private'));
      case 'GetBucketPolicyStatus':
        if (!state.policy) throw new S3Error(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist', { BucketName: bucket });
        return xml(`<PolicyStatus xmlns="${XMLNS}"><IsPublic>${state.policy.public}</IsPublic></PolicyStatus>`);
      case 'GetBucketVersioning':
        return xml(state.versioning ? `<VersioningConfiguration xmlns="${XMLNS}"><Status>${state.versioning}</Status></VersioningConfiguration>` : `<VersioningConfiguration xmlns="${XMLNS}"/>`);
      case 'PutBucketVersioning': {
        const status = tag(payload.toString('utf8'), 'Status');
        if (status !== 'Enabled' && status !== 'Suspended') throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
        state.versioning = status;
        return reply(200, {});
      }
      case 'ListObjectsV2': {
        const prefix = query.find(([name]) => name === 'prefix')?.[1] ?? '';
        const current = [...store.entries()]
          .filter(([id]) => id.startsWith(`${bucket}/${prefix}`))
          .map(([, versions]) => versions.at(-1))
          .filter((version): version is StoredVersion => Boolean(version && !version.deleteMarker))
          .sort((a, b) => (a.key < b.key ? -1 : 1));
        const contents = current
          .map((version) => `<Contents><Key>${xmlEscape(version.key)}</Key><LastModified>${version.lastModified.toISOString()}</LastModified><ETag>&quot;${version.etag}&quot;</ETag><Size>${version.body?.length ?? 0}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
          .join('');
        return xml(`<ListBucketResult xmlns="${XMLNS}"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${current.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`);
      }
      case 'ListObjectVersions': {
        const prefix = query.find(([name]) => name === 'prefix')?.[1] ?? '';
        const entries = [...store.entries()]
          .filter(([id]) => id.startsWith(`${bucket}/${prefix}`))
          .sort(([a], [b]) => byCodeUnit(a, b))
          .flatMap(([, versions]) =>
            [...versions].reverse().map((version, index) =>
              version.deleteMarker
                ? `<DeleteMarker><Key>${xmlEscape(version.key)}</Key><VersionId>${version.versionId}</VersionId><IsLatest>${index === 0}</IsLatest><LastModified>${version.lastModified.toISOString()}</LastModified></DeleteMarker>`
                : `<Version><Key>${xmlEscape(version.key)}</Key><VersionId>${version.versionId}</VersionId><IsLatest>${index === 0}</IsLatest><LastModified>${version.lastModified.toISOString()}</LastModified><ETag>&quot;${version.etag}&quot;</ETag><Size>${version.body?.length ?? 0}</Size><StorageClass>STANDARD</StorageClass></Version>`,
            ),
          );
        return xml(`<ListVersionsResult xmlns="${XMLNS}"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${entries.join('')}</ListVersionsResult>`);
      }
      case 'PutObject': {
        const etag = createHash('md5').update(payload).digest('hex');
        const versions = versionsOf(bucket, key ?? '');
        const versionId = state.versioning === 'Enabled' ? randomUUID().replace(/-/g, '') : 'null';
        if (versionId === 'null') versions.splice(0, versions.length, ...versions.filter((version) => version.versionId !== 'null'));
        versions.push({ key: key ?? '', versionId, deleteMarker: false, body: payload, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'), etag, lastModified: new Date() });
        return reply(200, { etag: `"${etag}"`, ...encryptionHeaders(), ...(state.versioning ? { 'x-amz-version-id': versionId } : {}) });
      }
      case 'GetObject':
      case 'HeadObject': {
        const versions = store.get(`${bucket}/${key}`) ?? [];
        const wanted = query.find(([name]) => name === 'versionId')?.[1];
        const version = wanted ? versions.find((candidate) => candidate.versionId === wanted) : versions.at(-1);
        if (!version) {
          if (wanted) throw new S3Error(404, 'NoSuchVersion', 'The specified version does not exist.', { Key: key ?? '', VersionId: wanted });
          throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key ?? '' });
        }
        if (version.deleteMarker) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key ?? '' }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': version.versionId });
        const content = state.corruptReads ? Buffer.from(`corrupted:${version.body?.toString('base64') ?? ''}`) : (version.body ?? Buffer.alloc(0));
        const headers = {
          'content-type': version.contentType ?? 'binary/octet-stream',
          etag: `"${version.etag}"`,
          'last-modified': version.lastModified.toUTCString(),
          'accept-ranges': 'bytes',
          ...encryptionHeaders(),
          ...(state.versioning ? { 'x-amz-version-id': version.versionId } : {}),
        };
        if (method === 'HEAD') return reply(200, { ...headers, 'content-length': String(content.length) });
        return reply(200, headers, content);
      }
      case 'DeleteObject': {
        const versions = versionsOf(bucket, key ?? '');
        const wanted = query.find(([name]) => name === 'versionId')?.[1];
        if (wanted) {
          const index = versions.findIndex((version) => version.versionId === wanted);
          const removed = index >= 0 ? versions.splice(index, 1)[0] : undefined;
          if (versions.length === 0) store.delete(`${bucket}/${key}`);
          return reply(204, { 'x-amz-version-id': wanted, ...(removed?.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}) });
        }
        if (state.versioning === 'Enabled') {
          const versionId = randomUUID().replace(/-/g, '');
          versions.push({ key: key ?? '', versionId, deleteMarker: true, lastModified: new Date() });
          return reply(204, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionId });
        }
        const kept = versions.filter((version) => version.versionId !== 'null');
        if (state.versioning === 'Suspended') kept.push({ key: key ?? '', versionId: 'null', deleteMarker: true, lastModified: new Date() });
        if (kept.length === 0) store.delete(`${bucket}/${key}`);
        else versions.splice(0, versions.length, ...kept);
        return reply(204, state.versioning === 'Suspended' ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': 'null' } : {});
      }
      default:
        throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: method, ResourceType: key ? 'OBJECT' : 'BUCKET' });
    }
  };

  /** Verifies SigV4 like S3: key id, region, clock skew, then the signature itself. */
  const authenticate = (req: IncomingMessage, rawPath: string, query: Array<[string, string]>, body: Buffer) => {
    const signed = signedRequest(req);
    if (!signed) throw new S3Error(403, 'AccessDenied', 'Access Denied');
    const { credential } = signed;
    if (credential.accessKeyId !== accessKeyId) throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: credential.accessKeyId });
    if (credential.region !== region) {
      throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${credential.region}' is wrong; expecting '${region}'`, { Region: region }, { 'x-amz-bucket-region': region });
    }
    if (credential.service !== 's3') throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service "${credential.service}". This endpoint belongs to "s3".`);
    const signedAt = parseAmzDate(signed.amzDate);
    if (!signedAt) throw new S3Error(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
    if (!signed.amzDate.startsWith(credential.date)) throw new S3Error(403, 'SignatureDoesNotMatch', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${credential.date}' != '${signed.amzDate.slice(0, 8)}'`);
    if (Math.abs(Date.now() - signedAt.getTime()) > MAX_SKEW_MS) {
      throw new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { RequestTime: signed.amzDate, ServerTime: new Date().toISOString(), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) });
    }
    if (!signed.signedHeaders.includes('host')) throw new S3Error(400, 'AuthorizationHeaderMalformed', "The authorization header is malformed; 'host' must be a signed header.");
    const { canonicalRequest, stringToSign } = canonical(req, rawPath, query, signed);
    const expected = Buffer.from(signature(secretAccessKey, credential, stringToSign), 'hex');
    const provided = Buffer.from(signed.signature, 'hex');
    if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
      throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
        AWSAccessKeyId: credential.accessKeyId,
        StringToSign: stringToSign,
        SignatureProvided: signed.signature,
        StringToSignBytes: hexBytes(stringToSign),
        CanonicalRequest: canonicalRequest,
        CanonicalRequestBytes: hexBytes(canonicalRequest),
      });
    }
    if (/^[0-9a-f]{64}$/.test(signed.payloadHash) && signed.payloadHash !== sha256(body)) {
      throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", { ClientComputedContentSHA256: signed.payloadHash, S3ComputedContentSHA256: sha256(body) });
    }
    if (signed.payloadHash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' || signed.payloadHash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER') {
      throw new S3Error(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', { Header: 'x-amz-content-sha256' });
    }
  };

  /** The object bytes: aws-chunked bodies decoded, Content-MD5 and CRC32 checksums verified. */
  const payloadOf = (req: IncomingMessage, body: Buffer): Buffer => {
    let data = body;
    const checksums: Record<string, string> = {};
    for (const name of ['x-amz-checksum-crc32', 'content-md5']) {
      const value = req.headers[name];
      if (typeof value === 'string') checksums[name] = value;
    }
    if (req.headers['x-amz-content-sha256'] === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' || /aws-chunked/.test(String(req.headers['content-encoding'] ?? ''))) {
      const decoded = decodeAwsChunked(body);
      data = decoded.data;
      Object.assign(checksums, decoded.trailers);
    }
    const crc = checksums['x-amz-checksum-crc32'];
    if (crc !== undefined) {
      const computed = Buffer.alloc(4);
      computed.writeUInt32BE(crc32(data));
      if (computed.toString('base64') !== crc) throw new S3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
    }
    const md5 = checksums['content-md5'];
    if (md5 !== undefined && createHash('md5').update(data).digest('base64') !== md5) {
      throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', { ExpectedDigest: md5, CalculatedDigest: createHash('md5').update(data).digest('base64') });
    }
    return data;
  };

  const server = await listenLocal(handler, options.tls);
  return {
    endpoint: server.url,
    region,
    accessKeyId,
    secretAccessKey,
    options,
    requests,
    objects: (bucket) => [...store.entries()].filter(([id]) => id.startsWith(`${bucket}/`)).flatMap(([, versions]) => versions),
    close: () => server.close(),
  };
}

/**
 * The demo's object storage: the products bucket (SSE-S3, lifecycle to Glacier, public product
 * images through a public bucket policy) and the KYC bucket (SSE-KMS with a customer key, all
 * public access blocked, versioning on) with one realistic mistake: no lifecycle rule on KYC.
 */
export const s3StandIn: StandIn = {
  name: 's3',
  async start(context) {
    const tls = await context.issueCertificate();
    const region = 'ap-south-1';
    const running = await startS3({
      tls,
      region,
      buckets: {
        'bazaarhub-products': {
          encryption: { algorithm: 'AES256' },
          lifecycle: [{ id: 'archive-old-images', prefix: 'products/archive/', transitionDays: 90, storageClass: 'GLACIER_IR' }],
          publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false },
          policy: { public: true },
        },
        'bazaarhub-kyc': {
          encryption: { algorithm: 'aws:kms', kmsKeyId: `arn:aws:kms:${region}:111122223333:key/0f6c3c1e-6d8a-4c52-9a57-2b1f7f0d9c11`, bucketKeyEnabled: true },
          versioning: 'Enabled',
        },
      },
    });
    return {
      name: 's3',
      env: {
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: running.accessKeyId,
        AWS_SECRET_ACCESS_KEY: running.secretAccessKey,
        AWS_S3_BUCKET: 'bazaarhub-products',
        AWS_S3_KYC_BUCKET: 'bazaarhub-kyc',
        AWS_ENDPOINT_URL_S3: running.endpoint,
      },
      activity: () => ({ writes: running.requests.filter((request) => !/^(Get|Head|List)/.test(request.operation)).map((request) => `${request.operation} ${request.bucket ?? ''}/${request.key ?? ''} -> ${request.status}`) }),
      close: () => running.close(),
    };
  },
};
