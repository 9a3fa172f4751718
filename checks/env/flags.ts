import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail, type ProbeContext } from '../../src/engine/types.js';
import { errorMessage } from '../../src/util/errors.js';
import { parseSetCookie } from '../http/cookies.js';
import { judgeRedirect, plainUrlOf } from '../http/https-redirect.js';
import { fetchRoute, routeParams, routesOf, webTargets, routeBudget } from '../http/services.js';

/** What the live deployment shows about a flag: `violations` (empty: it behaves as the flag says), or why it could not be seen. */
export type LiveEvidence = { violations: string[]; seen: string } | { unobserved: string };
// (A deployment without any service URL has nothing live to show: the observers return undefined.)

/**
 * HTTPS_ONLY=true promises that plain http serves nothing: every service's plain-http URL (the same
 * shared GET http.https-redirect judges) must redirect to https or not be served at all.
 */
async function liveHttpsOnly(ctx: ProbeContext): Promise<LiveEvidence | undefined> {
  const targets = webTargets(ctx, []);
  if (targets.length === 0) return undefined;
  const violations: string[] = [];
  const unseen: string[] = [];
  let seen = 0;
  await Promise.all(
    targets.map(async (target) => {
      const plain = plainUrlOf(target, {});
      try {
        const response = await fetchRoute(ctx, plain);
        seen += 1;
        const judged = judgeRedirect(response, plain, target.url);
        if (judged.status === 'fail') violations.push(`${target.subject}: ${judged.observed}`);
      } catch (error) {
        // Nothing listening on plain http serves nothing over it, which is what the flag promises.
        if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') seen += 1;
        else unseen.push(`${target.subject} ${plain.origin}: ${errorMessage(error)}`);
      }
    }),
  );
  if (seen === 0) return { unobserved: `plain http not observed (${unseen.join('; ')})` };
  return { violations: violations.sort(), seen: `plain http redirects to https or is not served on ${seen} service${seen === 1 ? '' : 's'}` };
}

/** SECURE_COOKIES=true promises that every cookie the services set carries Secure (same shared GETs as http.cookies). */
async function liveSecureCookies(ctx: ProbeContext): Promise<LiveEvidence | undefined> {
  const services = routesOf(webTargets(ctx, []), { urls: [], apiRoutes: routeParams.apiRoutes.parse(undefined), pages: [] });
  if (services.length === 0) return undefined;
  const violations: string[] = [];
  const secure: string[] = [];
  await Promise.all(
    services.flatMap(({ routes }) =>
      routes.map(async (route) => {
        try {
          const response = await fetchRoute(ctx, route.url);
          for (const cookie of response.setCookies.map(parseSetCookie)) {
            if (cookie.attributes.has('secure')) secure.push(cookie.name);
            else violations.push(`${route.subject} sets ${cookie.name} without Secure`);
          }
        } catch {
          // A route that does not answer shows no cookie; the others still count.
        }
      }),
    ),
  );
  if (violations.length === 0 && secure.length === 0) return { unobserved: 'no service set a cookie on the routes looked at' };
  return { violations: violations.sort(), seen: `every cookie set (${[...new Set(secure)].sort().join(', ')}) carries Secure` };
}

/** Flags whose promise the live deployment shows; BazaarHub's backend reads neither, so only the live answer counts. */
const LIVE: Record<string, { expected: string; observe: (ctx: ProbeContext) => Promise<LiveEvidence | undefined> }> = {
  HTTPS_ONLY: { expected: 'true', observe: liveHttpsOnly },
  SECURE_COOKIES: { expected: 'true', observe: liveSecureCookies },
};

/** Pure: the declared value beside what the live deployment does; the live behaviour decides when it was observed. */
export function judgeFlag(name: string, expected: string, declared: string | undefined, live?: LiveEvidence): FindingDetail {
  const declaredOk = declared !== undefined && declared.trim().toLowerCase() === expected.toLowerCase();
  const declaredText = declared === undefined ? 'not set' : declaredOk ? declared : `"${declared}"`;
  if (!live) return { subject: name, status: declaredOk ? 'pass' : 'fail', observed: declaredText };
  if ('unobserved' in live) return { subject: name, status: declaredOk ? 'pass' : 'fail', observed: `${declaredText} (live: ${live.unobserved}, so only the declared value was judged)` };
  const declaredPart = declared === undefined ? 'not set' : `declared ${declared}`;
  if (live.violations.length > 0) return { subject: name, status: 'fail', observed: `${declaredPart}, but live: ${live.violations.join('; ')}` };
  return { subject: name, status: 'pass', observed: `${declaredPart}; live: ${live.seen}${declaredOk ? '' : ` (the deployment behaves as ${name}=${expected} would promise)`}` };
}

export default defineProbe({
  id: 'env.flags',
  title: 'Production flags are set',
  description:
    'NODE_ENV=production, HTTPS_ONLY=true and SECURE_COOKIES=true (or the flags given as params). HTTPS_ONLY and SECURE_COOKIES are also looked at live (the plain-http GET of each service; the Set-Cookie of each service\'s routes), and the live behaviour decides: the finding says both what is declared and what the deployment does.',
  params: z.object({
    expect: z.record(z.string()).default({ NODE_ENV: 'production', HTTPS_ONLY: 'true', SECURE_COOKIES: 'true' }),
    /** Look at the live deployment for the flags it can show (HTTPS_ONLY, SECURE_COOKIES). */
    live: z.boolean().default(true),
  }),
  budgetMs: routeBudget,
  remediation:
    'Set the listed variables to the expected values in .env.production and redeploy; where the live deployment contradicts a flag, make the code or the proxy do it (nginx `return 301 https://$host$request_uri;` on port 80, `cookie: { secure: true }` in the session middleware): BazaarHub\'s backend reads neither HTTPS_ONLY nor SECURE_COOKIES.',
  suggests: [{ match: /\b([A-Z][A-Z0-9_]+)=([A-Za-z0-9_.-]+)/, severity: 'high', params: (m) => ({ expect: { [m[1] as string]: m[2] as string } }) }],
  async run(ctx, params) {
    const details = await Promise.all(
      Object.entries(params.expect).map(async ([name, expected]) => {
        const live = params.live ? LIVE[name] : undefined;
        const evidence = live && live.expected === expected.toLowerCase() ? await live.observe(ctx) : undefined;
        return judgeFlag(name, expected, ctx.target.get(name), evidence);
      }),
    );
    return combine(details, Object.entries(params.expect).map(([k, v]) => `${k}=${v}`).join(', '));
  },
});
