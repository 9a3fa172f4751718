import { Agent } from 'node:https';
import type { ProbeContext } from '../engine/types.js';
import type { Target } from '../target/target.js';
import { errorMessage } from '../util/errors.js';
import { gatherSignal } from './api.js';
import { trustedCas } from './tls.js';

/** The newest object under a bucket/prefix, from a full ListObjectsV2 walk (bounded by maxPages). */
export interface NewestObject {
  bucket: string;
  prefix: string;
  count: number;
  newest?: { key: string; lastModified: Date; size: number };
  /** True when the walk stopped at maxPages before the end of the listing. */
  truncated: boolean;
  /** S3's error code (NoSuchBucket, AccessDenied, InvalidAccessKeyId, ...) or a transport error. */
  error?: string;
}

export interface S3Location {
  bucket: string;
  prefix: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
}

/** The S3 endpoint settings a deployment gives (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL for S3-compatible stores). */
export function s3Settings(target: Target, location: S3Location): { endpoint?: string; region: string; forcePathStyle: boolean } {
  const endpoint = location.endpoint || target.first('AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL')?.value;
  const region = location.region || target.first('AWS_S3_REGION', 'AWS_REGION')?.value || 'us-east-1';
  const forcePathStyle = location.forcePathStyle ?? (target.get('AWS_S3_FORCE_PATH_STYLE') === 'true' || endpoint !== undefined);
  return { ...(endpoint ? { endpoint } : {}), region, forcePathStyle };
}

export function newestObject(ctx: ProbeContext, location: S3Location, maxPages: number): Promise<NewestObject> {
  const settings = s3Settings(ctx.target, location);
  return ctx.facts.once(`s3-newest ${settings.endpoint ?? 'aws'} ${location.bucket} ${location.prefix}`, async () => {
    const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const accessKeyId = ctx.target.get('AWS_ACCESS_KEY_ID');
    const secretAccessKey = ctx.target.get('AWS_SECRET_ACCESS_KEY');
    const sessionToken = ctx.target.get('AWS_SESSION_TOKEN');
    const ca = trustedCas(ctx.options);
    const client = new S3Client({
      ...settings,
      maxAttempts: 2,
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
      requestHandler: {
        requestTimeout: ctx.options.timeoutMs,
        connectionTimeout: ctx.options.timeoutMs,
        httpsAgent: new Agent({ rejectUnauthorized: !ctx.options.insecure, ...(ca ? { ca } : {}) }),
      },
    });
    ctx.facts.onClose(() => client.destroy());
    const signal = gatherSignal(ctx);
    const result: NewestObject = { bucket: location.bucket, prefix: location.prefix, count: 0, truncated: false };
    let token: string | undefined;
    try {
      for (let page = 0; page < maxPages; page += 1) {
        ctx.facts.countContact('s3', `${location.bucket}/${location.prefix}`);
        const listed = await client.send(
          new ListObjectsV2Command({ Bucket: location.bucket, ...(location.prefix ? { Prefix: location.prefix } : {}), ...(token ? { ContinuationToken: token } : {}) }),
          { abortSignal: signal },
        );
        for (const object of listed.Contents ?? []) {
          if (!object.Key || !object.LastModified) continue;
          result.count += 1;
          if (!result.newest || object.LastModified > result.newest.lastModified) result.newest = { key: object.Key, lastModified: object.LastModified, size: object.Size ?? 0 };
        }
        token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
        if (!token) return result;
      }
      return { ...result, truncated: true };
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const code = typeof name === 'string' && name !== 'Error' && status !== undefined ? `${name} (HTTP ${status})` : errorMessage(error);
      return { ...result, error: code };
    }
  });
}
