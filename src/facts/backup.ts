import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { gatherSignal } from './api.js';
import { connect } from './s3.js';

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
}

/** The newest object under bucket/prefix, through the run's shared S3 client. */
export function newestObject(ctx: ProbeContext, location: S3Location, maxPages: number): Promise<NewestObject> {
  const override = { ...(location.endpoint ? { endpoint: location.endpoint } : {}), ...(location.region ? { region: location.region } : {}) };
  return ctx.facts.once(`s3-newest ${location.endpoint ?? ''} ${location.bucket} ${location.prefix}`, async () => {
    const result: NewestObject = { bucket: location.bucket, prefix: location.prefix, count: 0, truncated: false };
    let token: string | undefined;
    try {
      const { client, sdk } = await connect(ctx, override);
      const signal = gatherSignal(ctx);
      for (let page = 0; page < maxPages; page += 1) {
        ctx.facts.countContact('s3', `${location.bucket}/${location.prefix}`);
        const listed = await client.send(
          new sdk.ListObjectsV2Command({ Bucket: location.bucket, ...(location.prefix ? { Prefix: location.prefix } : {}), ...(token ? { ContinuationToken: token } : {}) }),
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
