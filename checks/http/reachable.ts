import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import type { HttpResponse } from '../../src/facts/http.js';
import { perRoute, routeParams, routesOf, webTargets, routeBudget } from './services.js';

/**
 * Pure: a route answers when it gets a status below 500 that is not "not found" (a 401 or 403
 * still shows the route is served; a 404 on a route that should exist does not).
 */
export function judgeReachable(response: Pick<HttpResponse, 'status' | 'totalMs'>): Omit<FindingDetail, 'subject'> {
  const timing = `in ${Math.round(response.totalMs)} ms`;
  if (response.status >= 500) return { status: 'fail', observed: `answered ${response.status} ${timing}` };
  if (response.status === 404 || response.status === 410) return { status: 'fail', observed: `answered ${response.status} ${timing}: the route is not served` };
  return { status: 'pass', observed: `answered ${response.status} ${timing}` };
}

export default defineProbe({
  id: 'http.reachable',
  title: 'Every service answers',
  description:
    'A GET of each service\'s routes that matter (the API\'s apiRoutes, default /api/products and /api/categories; each front end\'s URL and pages) gets an answer below 500 that is not a 404, within the timeout.',
  params: z.object(routeParams),
  budgetMs: routeBudget,
  remediation: 'Start the service that did not answer (docker compose ps / logs), and check the nginx upstream and DNS for its hostname; a 404 on an API route means the route is not deployed (or set apiRoutes to the routes this deployment serves).',
  suggests: [{ match: /Verify all services are running|All services responsive|Test API endpoints/i, severity: 'critical' }],
  async run(ctx, params) {
    // An unreachable service is this probe's failure, not an inability to look.
    return perRoute(ctx, routesOf(webTargets(ctx, params.urls), params), 'every route answers with a status below 500 other than 404', undefined, (response) => judgeReachable(response), {
      unreachable: 'fail',
      routeUnanswered: 'fail',
      evidence: () => undefined,
    });
  },
});
