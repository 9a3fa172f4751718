import { randomBytes } from 'node:crypto';
import { listenHttp } from './http.js';

/**
 * A minimal S3 on 127.0.0.1 for listing: path-style `GET /<bucket>?list-type=2` (ListObjectsV2)
 * with prefix, max-keys and continuation tokens, answering S3's XML; S3's XML errors for an
 * unknown bucket (NoSuchBucket) or a request not signed with the configured access key id
 * (InvalidAccessKeyId). Signatures themselves are not verified.
 */
export interface StoredObject {
  key: string;
  lastModified: Date;
  size: number;
}

export interface RunningS3Listing {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  buckets: Map<string, StoredObject[]>;
  close(): Promise<void>;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function errorXml(code: string, message: string, resource: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><Resource>${escapeXml(resource)}</Resource><RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;
}

export async function startS3Listing(options: { buckets?: Record<string, StoredObject[]>; pageSize?: number } = {}): Promise<RunningS3Listing> {
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  const buckets = new Map(Object.entries(options.buckets ?? {}));
  const http = await listenHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase() });
      res.end(xml);
    };
    const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
    if (!(req.headers.authorization ?? '').includes(`Credential=${accessKeyId}/`)) {
      return send(403, errorXml('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', url.pathname));
    }
    const objects = buckets.get(bucket);
    if (!objects) return send(404, errorXml('NoSuchBucket', 'The specified bucket does not exist', url.pathname));
    if (req.method !== 'GET' || url.searchParams.get('list-type') !== '2') return send(501, errorXml('NotImplemented', 'Only ListObjectsV2 is implemented', url.pathname));
    const prefix = url.searchParams.get('prefix') ?? '';
    const maxKeys = Math.min(Number(url.searchParams.get('max-keys') ?? '1000'), options.pageSize ?? 1000);
    const start = Number(Buffer.from(url.searchParams.get('continuation-token') ?? '', 'base64url').toString() || '0');
    const matching = objects.filter((object) => object.key.startsWith(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key))); // S3 lists keys in UTF-8 binary order
    const page = matching.slice(start, start + maxKeys);
    const truncated = start + maxKeys < matching.length;
    const contents = page
      .map((object) => `<Contents><Key>${escapeXml(object.key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>&quot;${randomBytes(16).toString('hex')}&quot;</ETag><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
      .join('');
    const next = truncated ? `<NextContinuationToken>${Buffer.from(String(start + maxKeys)).toString('base64url')}</NextContinuationToken>` : '';
    send(
      200,
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${contents}</ListBucketResult>`,
    );
  });
  return { endpoint: http.url, accessKeyId, secretAccessKey, buckets, close: http.close };
}
