import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { header, perRoute, routeParams, routesOf, ROUTES_HINT, webTargets, routeBudget } from './services.js';

const VERSIONED = /\d+\.\d+|\/\s*\d/;
const BANNERS = ['server', 'x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version', 'x-generator'];

/** Pure judgement: no header names a software version. */
export function judgeServerBanner(response: { headers: Record<string, string> }): Omit<FindingDetail, 'subject'> {
  const leaks = BANNERS.flatMap((name) => {
    const value = header(response, name);
    return value && VERSIONED.test(value) ? [`${name}: ${value}`] : [];
  });
  if (leaks.length > 0) return { status: 'fail', observed: `version disclosed (${leaks.join('; ')})` };
  const server = header(response, 'server');
  return { status: 'pass', observed: server ? `Server: ${server} (no version)` : 'no Server header' };
}

export default defineProbe({
  id: 'http.server-banner',
  title: 'Server banner hides the version',
  description: 'The Server header (and X-Powered-By, X-AspNet-Version) on each service\'s API routes and pages discloses no software version.',
  params: z.object(routeParams),
  budgetMs: routeBudget,
  remediation: 'Set `server_tokens off;` in nginx\'s http block (and hide X-Powered-By with `proxy_hide_header X-Powered-By;`), then reload nginx.',
  suggests: [{ match: /harden Nginx configuration|server (banner|tokens)/i, severity: 'medium' }],
  async run(ctx, params) {
    return perRoute(ctx, routesOf(webTargets(ctx, params.urls), params), 'a Server header without a version (nginx server_tokens off)', undefined, (response) => judgeServerBanner(response), { hint: ROUTES_HINT });
  },
});
