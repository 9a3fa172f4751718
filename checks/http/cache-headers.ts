import { z } from 'zod';
import { worst } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail, type ProbeStatus } from '../../src/engine/types.js';
import { getFact, type HttpResponse } from '../../src/facts/http.js';
import { discoverAssets } from './assets.js';
import { header, isHtml, perRoute, routeParams, routesOf, ROUTES_HINT, webTargets, routeBudget } from './services.js';

type Judged = { status: ProbeStatus; observed: string };

export function cacheDirectives(value: string | undefined): Map<string, string> {
  const directives = new Map<string, string>();
  for (const part of (value ?? '').split(',')) {
    const [key = '', ...rest] = part.split('=');
    if (key.trim()) directives.set(key.trim().toLowerCase(), rest.join('=').replace(/"/g, '').trim());
  }
  return directives;
}

/** Pure: an HTML page or API response must not be stored by shared caches when it may be private. */
export function judgeDocumentCaching(response: Pick<HttpResponse, 'headers' | 'setCookies' | 'url'>): Judged {
  const path = new URL(response.url).pathname;
  const value = header(response, 'cache-control');
  const cc = cacheDirectives(value);
  if (cc.has('no-store') || cc.has('private') || cc.has('no-cache') || cc.get('max-age') === '0') {
    if (cc.has('public') || Number(cc.get('s-maxage') ?? 0) > 0) return { status: 'fail', observed: `${path} Cache-Control "${value}" lets shared caches keep it` };
    return { status: 'pass', observed: `${path} Cache-Control "${value}"` };
  }
  const shared = cc.has('public') || Number(cc.get('s-maxage') ?? 0) > 0 || Number(cc.get('max-age') ?? 0) > 0;
  if (shared && response.setCookies.length > 0) return { status: 'fail', observed: `${path} sets cookies yet is cacheable ("${value}")` };
  if (shared) return { status: 'warn', observed: `${path} cacheable ("${value}"): only safe if it never holds private data` };
  return { status: 'warn', observed: `${path} has no Cache-Control${header(response, 'last-modified') ? ' (heuristically cacheable through Last-Modified)' : ''}` };
}

/** Pure: a static asset must be cacheable for at least `minMaxAge` seconds (warn above a day). */
export function judgeAssetCaching(response: Pick<HttpResponse, 'headers' | 'status' | 'url'>, minMaxAge: number): Judged {
  const path = new URL(response.url).pathname;
  if (response.status >= 400) return { status: 'warn', observed: `${path} answered ${response.status}` };
  const value = header(response, 'cache-control');
  const cc = cacheDirectives(value);
  const maxAge = Number(cc.get('s-maxage') ?? cc.get('max-age') ?? Number.NaN);
  if (!value) return { status: 'fail', observed: `${path} has no Cache-Control` };
  if (cc.has('no-store') || cc.has('no-cache') || Number.isNaN(maxAge)) return { status: 'fail', observed: `${path} Cache-Control "${value}" is not long-lived` };
  if (maxAge >= minMaxAge) return { status: 'pass', observed: `${path} max-age ${maxAge}${cc.has('immutable') ? ' immutable' : ''}` };
  return { status: maxAge >= 86_400 ? 'warn' : 'fail', observed: `${path} max-age ${maxAge} is under ${minMaxAge}` };
}

function fold(items: Judged[]): Omit<FindingDetail, 'subject'> {
  const status = worst(items.map((item) => item.status));
  const shown = status === 'pass' ? items : items.filter((item) => item.status !== 'pass');
  return { status, observed: shown.map((item) => item.observed).join('; ') };
}

export default defineProbe({
  id: 'http.cache-headers',
  title: 'Caching headers: long-lived assets, no shared caching of private responses',
  description:
    'Static assets (scripts and stylesheets linked from each service\'s HTML, or the `assets` param) carry Cache-Control max-age >= minAssetMaxAge; HTML and API responses are no-store/private/no-cache, and never publicly cacheable while setting cookies.',
  params: z.object({
    ...routeParams,
    /** Asset URLs or paths (resolved against each service URL) to check instead of discovering them. */
    assets: z.array(z.string()).default([]),
    maxAssets: z.number().int().min(0).max(20).default(5),
    minAssetMaxAge: z.number().int().nonnegative().default(2_592_000),
  }),
  budgetMs: routeBudget,
  remediation:
    'Serve fingerprinted assets with `Cache-Control: public, max-age=31536000, immutable` (nginx `location /_next/static/ { expires 1y; }`) and HTML/API responses with `Cache-Control: no-store` or `private, no-cache`.',
  suggests: [{ match: /caching headers|cache-control/i, severity: 'medium' }],
  async run(ctx, params) {
    const expected = `assets max-age >= ${params.minAssetMaxAge}; HTML/API not cacheable by shared caches`;
    const services = routesOf(webTargets(ctx, params.urls), params);
    return perRoute(ctx, services, expected, undefined, async (page, route) => {
      const base = new URL(page.url);
      const assets =
        params.assets.length > 0
          ? params.assets.map((asset) => new URL(asset, base)).filter((asset) => asset.origin === route.url.origin)
          : isHtml(page)
            ? discoverAssets(page.body, base, params.maxAssets)
            : [];
      const assetResponses = await Promise.all(assets.map((asset) => getFact(ctx, asset)));
      return fold([judgeDocumentCaching(page), ...assetResponses.map((response) => judgeAssetCaching(response, params.minAssetMaxAge))]);
    }, { hint: ROUTES_HINT });
  },
});
