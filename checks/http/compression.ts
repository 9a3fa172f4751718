import { z } from 'zod';
import { combine, skipped } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import type { HttpResponse } from '../../src/facts/http.js';
import { errorMessage } from '../../src/util/errors.js';
import { discoverAssets } from './assets.js';
import { fetchRoute, header, isHtml, NO_SERVICES, routeParams, routesOf, webTargets, routeBudget } from './services.js';
import { byCodeUnit } from '../../src/util/order.js';

const TEXT = /^(text\/|application\/(json|javascript|ecmascript|xml|[\w.+-]+\+(json|xml))|image\/svg\+xml)/i;
const ENCODED = /\b(gzip|br|zstd|deflate)\b/i;

/**
 * Pure judgement of one response fetched with `Accept-Encoding: gzip, br`. Undefined when the
 * response is no evidence either way: not a 2xx, not text, or an uncompressed body under
 * `minBytes` (a 139-byte 404 page says nothing about whether compression is on).
 */
export function judgeCompression(response: Pick<HttpResponse, 'headers' | 'body' | 'truncated' | 'url'> & { status?: number }, minBytes: number): Omit<FindingDetail, 'subject'> | undefined {
  if (response.status !== undefined && (response.status < 200 || response.status >= 300)) return undefined;
  const type = header(response, 'content-type') ?? '';
  if (!TEXT.test(type)) return undefined;
  const encoding = header(response, 'content-encoding');
  const size = Buffer.byteLength(response.body);
  if (encoding && ENCODED.test(encoding)) return { status: 'pass', observed: `${encoding} (${size} bytes decoded)` };
  if (size < minBytes && !response.truncated) return undefined;
  return { status: 'fail', observed: `${type.split(';')[0]}, ${size}${response.truncated ? '+' : ''} bytes, sent uncompressed` };
}

/** Why a response was not judged, for the finding. */
function notJudged(response: HttpResponse, minBytes: number): string {
  if (response.status < 200 || response.status >= 300) return `answered ${response.status}`;
  const type = header(response, 'content-type');
  if (!type || !TEXT.test(type)) return `${type?.split(';')[0] ?? 'untyped'}`;
  return `${Buffer.byteLength(response.body)} bytes uncompressed, under ${minBytes}`;
}

export default defineProbe({
  id: 'http.compression',
  sends: { to: 'each service\'s routes and the assets its pages link', what: 'the shared GETs of the routes that matter: the API\'s apiRoutes (default /api/products, /api/categories) and each front end\'s URL and pages; no body, no cookies; with Accept-Encoding: gzip, br, plus one GET per linked script/stylesheet (at most maxAssets)', effect: 'none' },
  title: 'Text responses are compressed',
  description:
    'Each service\'s responses that matter (the API routes, apiRoutes param; each front end\'s pages and the scripts and stylesheets they link) are served with gzip or br to Accept-Encoding: gzip, br. Only 2xx text responses of at least minBytes are evidence; when a service has none, that is said (error), never a pass.',
  params: z.object({
    ...routeParams,
    minBytes: z.number().int().nonnegative().default(1024),
    maxAssets: z.number().int().min(0).max(20).default(5),
  }),
  budgetMs: routeBudget,
  remediation: 'In nginx: `gzip on; gzip_types text/css application/javascript application/json image/svg+xml; gzip_min_length 1024;` (or brotli), or compression() in Express.',
  suggests: [{ match: /Enable compression|gzip|brotli/i, severity: 'medium' }],
  async run(ctx, params) {
    const expected = `gzip or br on 2xx text responses of at least ${params.minBytes} bytes`;
    const services = routesOf(webTargets(ctx, params.urls), params);
    if (services.length === 0) return skipped(NO_SERVICES, expected);
    const details = await Promise.all(
      services.map(async ({ target, routes }): Promise<FindingDetail[]> => {
        const responses: HttpResponse[] = [];
        const unanswered: string[] = [];
        await Promise.all(
          routes.map(async (route) => {
            try {
              const response = await fetchRoute(ctx, route.url);
              responses.push(response);
              if (isHtml(response) && response.status < 300) {
                const assets = discoverAssets(response.body, new URL(response.url), params.maxAssets);
                await Promise.all(
                  assets.map(async (asset) => {
                    try {
                      responses.push(await fetchRoute(ctx, asset));
                    } catch (error) {
                      unanswered.push(`${asset.pathname}: ${errorMessage(error)}`);
                    }
                  }),
                );
              }
            } catch (error) {
              unanswered.push(`${route.url.pathname}: ${errorMessage(error)}`);
            }
          }),
        );
        responses.sort((a, b) => byCodeUnit(a.url, b.url));
        const judged = responses.map((response) => ({ response, verdict: judgeCompression(response, params.minBytes) }));
        const withVerdict = judged.filter((item) => item.verdict !== undefined);
        if (withVerdict.length > 0) {
          const subject = (response: HttpResponse) => `${target.subject} ${new URL(response.url).pathname}`;
          return judged.map(({ response, verdict }) => (verdict ? { subject: subject(response), ...verdict } : { subject: subject(response), status: 'skipped' as const, observed: `${notJudged(response, params.minBytes)}: not judged` }));
        }
        const seen = [...responses.map((response) => `${new URL(response.url).pathname} ${notJudged(response, params.minBytes)}`), ...unanswered.map((text) => `${text} (no answer)`)].join('; ');
        return [{ subject: target.subject, status: 'error', observed: `no 2xx text response of at least ${params.minBytes} bytes to judge compression on (${seen || 'nothing fetched'}); list a larger route with the apiRoutes or pages param` }];
      }),
    );
    return combine(details.flat(), expected);
  },
});
