import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { getFact, type HttpResponse } from '../../src/facts/http.js';
import { discoverAssets } from './assets.js';
import { header, isHtml, perTarget, urlsParam, webTargets } from './services.js';

const TEXT = /^(text\/|application\/(json|javascript|ecmascript|xml|[\w.+-]+\+(json|xml))|image\/svg\+xml)/i;
const ENCODED = /\b(gzip|br|zstd|deflate)\b/i;

/** Pure judgement of one response fetched with `Accept-Encoding: gzip, br`; undefined when not text. */
export function judgeCompression(response: Pick<HttpResponse, 'headers' | 'body' | 'truncated' | 'url'>, minBytes: number): Omit<FindingDetail, 'subject'> | undefined {
  const type = header(response, 'content-type') ?? '';
  if (!TEXT.test(type)) return undefined;
  const encoding = header(response, 'content-encoding');
  const path = new URL(response.url).pathname;
  if (encoding && ENCODED.test(encoding)) return { status: 'pass', observed: `${path} ${encoding}` };
  const size = Buffer.byteLength(response.body);
  if (size < minBytes && !response.truncated) return { status: 'pass', observed: `${path} ${size} bytes, below the ${minBytes}-byte threshold` };
  return { status: 'fail', observed: `${path} (${type.split(';')[0]}, ${size}${response.truncated ? '+' : ''} bytes) sent uncompressed` };
}

export default defineProbe({
  id: 'http.compression',
  sends: { to: 'each service URL and the scripts/stylesheets its HTML links (at most maxAssets)', what: 'the shared GET of each service URL with Accept-Encoding: gzip, br, and one GET per linked asset; no body', effect: 'none' },
  title: 'Text responses are compressed',
  description: 'Each service\'s HTML/JSON and the scripts and stylesheets it links are served with gzip or br when the client sends Accept-Encoding: gzip, br.',
  params: z.object({
    urls: urlsParam,
    minBytes: z.number().int().nonnegative().default(1024),
    maxAssets: z.number().int().min(0).max(20).default(5),
  }),
  remediation: 'In nginx: `gzip on; gzip_types text/css application/javascript application/json image/svg+xml; gzip_min_length 1024;` (or brotli), or compression() in Express.',
  suggests: [{ match: /Enable compression|gzip|brotli/i, severity: 'medium' }],
  async run(ctx, params) {
    return perTarget(webTargets(ctx, params.urls), `gzip or br on text responses over ${params.minBytes} bytes`, undefined, async (target) => {
      const page = await getFact(ctx, target.url);
      const assets = isHtml(page) ? discoverAssets(page.body, target.url, params.maxAssets) : [];
      const responses = [page, ...(await Promise.all(assets.map((asset) => getFact(ctx, asset))))];
      const verdicts = responses.map((response) => judgeCompression(response, params.minBytes)).filter((v) => v !== undefined);
      if (verdicts.length === 0) return { status: 'pass', observed: `no text responses (${header(page, 'content-type') ?? 'no content type'})` };
      const failed = verdicts.filter((verdict) => verdict.status === 'fail');
      return failed.length > 0
        ? { status: 'fail', observed: failed.map((verdict) => verdict.observed).join('; ') }
        : { status: 'pass', observed: verdicts.map((verdict) => verdict.observed).join('; ') };
    });
  },
});
