import { isTimeout } from '../../src/facts/clean-error.js';
import { z } from 'zod';
import { combine, skipped } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail, type ProbeContext } from '../../src/engine/types.js';
import { getFact, type HttpResponse } from '../../src/facts/http.js';
import { SERVICES } from '../../src/target/variables.js';
import { errorMessage } from '../../src/util/errors.js';

const NAMES = SERVICES.map((service) => service.name) as [string, ...string[]];

/**
 * Pure: what the final answer says about whether the service is deployed. A 2xx comes from the
 * service; a 404 means the route is not served, and a 5xx (nginx's 502/503/504) means nothing runs
 * behind the proxy. An authentication challenge may come from the proxy alone (nginx auth_basic
 * answers before it forwards), so it is a warning: something is deployed, the service was not seen.
 */
export function judgeDeployed(response: Pick<HttpResponse, 'status' | 'headers' | 'totalMs' | 'wireBytes'>): Omit<FindingDetail, 'subject'> {
  const timing = `in ${Math.round(response.totalMs)} ms`;
  const status = response.status;
  if (status >= 200 && status < 300) return { status: 'pass', observed: `answered ${status} ${timing} (${response.wireBytes} bytes)` };
  if (status >= 300 && status < 400) return { status: 'warn', observed: `answered ${status} to ${response.headers.location ?? '(no Location)'} ${timing}, a redirect not followed (another origin, or too many hops)` };
  if (status === 401 || status === 403) return { status: 'warn', observed: `answered ${status} ${timing}: something answers behind authentication, but it may be the proxy alone; the service itself was not seen` };
  if (status >= 500) return { status: 'fail', observed: `answered ${status} ${timing}: nothing healthy behind the URL (the proxy's upstream is down or missing)` };
  return { status: 'fail', observed: `answered ${status} ${timing}: the route is not served, so this service (or the proxy's route to it) is not deployed there` };
}

const MAX_HOPS = 3;

/** GETs `url`, following redirects within the same origin (a front end sending visitors to /login), at most MAX_HOPS. */
async function finalAnswer(ctx: ProbeContext, url: URL): Promise<{ response: HttpResponse; path: string[] }> {
  const path = [url.href];
  let response = await getFact(ctx, url);
  for (let hop = 0; hop < MAX_HOPS && response.status >= 300 && response.status < 400 && response.headers.location; hop++) {
    const next = new URL(response.headers.location, response.url);
    if (next.origin !== url.origin || path.includes(next.href)) break;
    path.push(next.href);
    response = await getFact(ctx, next);
  }
  return { response, path };
}

const REMEDIATION = 'Deploy the service (docker compose up -d <service>, or your orchestrator), then check the nginx server block and upstream that route its public URL to it.';

export default defineProbe({
  id: 'deploy.service',
  sends: { to: 'the named services\' public URLs', what: 'one GET per service of its route (default: /api/products on the API, / on the front ends; shared with the other probes that GET the same URL) and of at most 3 same-origin redirect targets, no body', effect: 'none' },
  title: 'The deployed service answers on its public URL',
  description:
    'GET of each named service\'s public URL (APP_URL/API_BASE_URL, STOREFRONT_URL, VENDOR_PANEL_URL, ADMIN_PANEL_URL) on its route (param paths; the API\'s /api/products by default, a representative read route, since its / is a 404 page and /health waits on its dependencies): redirects within the same origin are followed (at most 3); a 2xx shows the service is deployed, a 404, a 5xx or no answer that it is not, and an authentication challenge (which the proxy alone may send) or an unfollowed redirect is a warning.',
  params: z.object({
    /** Which services (default: all four); a service whose URL variable is unset is a failure of this item. */
    services: z.array(z.enum(NAMES)).min(1).default([...NAMES]),
    /** Route per service, relative to its URL. */
    paths: z.record(z.string()).default({ api: '/api/products' }),
  }),
  remediation: REMEDIATION,
  suggests: [{ match: /^Deploy (backend|storefront|vendor-panel|admin-panel) service$/i, params: (m) => ({ services: [m[1]?.toLowerCase() === 'backend' ? 'api' : m[1]?.toLowerCase()] }), severity: 'critical' }],
  async run(ctx, params) {
    const expected = `${params.services.join(', ')} answer on their public URLs`;
    const known = new Map(ctx.target.services().map((service) => [service.name as string, service]));
    if (known.size === 0) return skipped('no service URL: set APP_URL (or API_BASE_URL), STOREFRONT_URL, VENDOR_PANEL_URL or ADMIN_PANEL_URL', expected);
    const details = await Promise.all(
      params.services.map(async (name): Promise<FindingDetail> => {
        const service = known.get(name);
        const variables = SERVICES.find((spec) => spec.name === name)?.urlVariables.join(' or ') ?? name;
        if (!service) return { subject: name, status: 'fail', observed: `no public URL: ${variables} is not set` };
        const url = new URL(params.paths[name] ?? '/', service.url);
        try {
          const { response, path } = await finalAnswer(ctx, url);
          const judged = judgeDeployed(response);
          return { subject: name, status: judged.status, observed: `${path.join(' → ')} ${judged.observed}` };
        } catch (error) {
          return { subject: name, status: isTimeout(error) ? 'error' : 'fail', observed: `no answer from ${url.href}: ${errorMessage(error)}` };
        }
      }),
    );
    return combine(details, expected, REMEDIATION);
  },
});
