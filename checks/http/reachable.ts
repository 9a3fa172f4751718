import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import type { HttpResponse } from '../../src/facts/http.js';
import { perResponse, urlsParam } from './services.js';

/** Pure: any answer below 500 means the service is up (a 404 on an API root still answers). */
export function judgeReachable(response: Pick<HttpResponse, 'status' | 'totalMs'>): Omit<FindingDetail, 'subject'> {
  const timing = `in ${Math.round(response.totalMs)} ms`;
  if (response.status >= 500) return { status: 'fail', observed: `answered ${response.status} ${timing}` };
  return { status: 'pass', observed: `answered ${response.status} ${timing}` };
}

export default defineProbe({
  id: 'http.reachable',
  sends: { to: 'each service URL', what: 'one shared GET per service URL (APP_URL/API_BASE_URL, STOREFRONT_URL, VENDOR_PANEL_URL, ADMIN_PANEL_URL or the urls param), no body, no cookies', effect: 'none' },
  title: 'Every service answers',
  description: 'A GET of each service URL (APP_URL/API_BASE_URL, STOREFRONT_URL, VENDOR_PANEL_URL, ADMIN_PANEL_URL) gets an HTTP answer below 500 within the timeout.',
  params: z.object({ urls: urlsParam }),
  remediation: 'Start the service that did not answer (docker compose ps / logs), and check the nginx upstream and DNS for its hostname.',
  suggests: [{ match: /Verify all services are running|All services responsive|Test API endpoints/i, severity: 'critical' }],
  async run(ctx, params) {
    // An unreachable service is this probe's failure, not an inability to look.
    return perResponse(ctx, params.urls, 'every service answers with a status below 500', undefined, (response) => judgeReachable(response), { unreachable: 'fail' });
  },
});
