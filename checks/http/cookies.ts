import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { answeredOk, perRoute, routeParams, routesOf, ROUTES_HINT, webTargets, routeBudget } from './services.js';

export interface ParsedCookie {
  name: string;
  attributes: Map<string, string>;
}

export function parseSetCookie(line: string): ParsedCookie {
  const [pair = '', ...rest] = line.split(';');
  const name = pair.split('=')[0]?.trim() ?? '';
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [key = '', ...value] = part.split('=');
    if (key.trim()) attributes.set(key.trim().toLowerCase(), value.join('=').trim());
  }
  return { name, attributes };
}

/** RFC 6265bis prefixes: __Secure- needs Secure; __Host- needs Secure, Path=/ and no Domain. Browsers drop a cookie that breaks them. */
export function prefixViolations(cookie: ParsedCookie): string[] {
  const attrs = cookie.attributes;
  const found: string[] = [];
  if (/^__secure-/i.test(cookie.name) && !attrs.has('secure')) found.push(`${cookie.name}: the __Secure- prefix needs Secure`);
  if (/^__host-/i.test(cookie.name)) {
    if (!attrs.has('secure')) found.push(`${cookie.name}: the __Host- prefix needs Secure`);
    if (attrs.get('path') !== '/') found.push(`${cookie.name}: the __Host- prefix needs Path=/`);
    if (attrs.has('domain')) found.push(`${cookie.name}: the __Host- prefix forbids Domain`);
  }
  return found;
}

/** Pure judgement of every Set-Cookie a service sent; values are never reported, only names. */
export function judgeCookies(setCookies: readonly string[], sessionPattern: RegExp): Omit<FindingDetail, 'subject'> {
  if (setCookies.length === 0) return { status: 'pass', observed: 'no cookies set' };
  const failures: string[] = [];
  const warnings: string[] = [];
  for (const cookie of setCookies.map(parseSetCookie)) {
    const attrs = cookie.attributes;
    if (!attrs.has('secure')) failures.push(`${cookie.name} lacks Secure`);
    if (sessionPattern.test(cookie.name) && !attrs.has('httponly')) failures.push(`session cookie ${cookie.name} lacks HttpOnly`);
    failures.push(...prefixViolations(cookie));
    const sameSite = attrs.get('samesite');
    if (sameSite?.toLowerCase() === 'none' && !attrs.has('secure')) failures.push(`${cookie.name} has SameSite=None without Secure (browsers reject it)`);
    if (sameSite === undefined) warnings.push(`${cookie.name} has no SameSite`);
    else if (!/^(lax|strict|none)$/i.test(sameSite)) warnings.push(`${cookie.name} has SameSite=${sameSite}`);
  }
  const names = setCookies.map((line) => parseSetCookie(line).name).join(', ');
  if (failures.length > 0) return { status: 'fail', observed: [...failures, ...warnings].join('; ') };
  if (warnings.length > 0) return { status: 'warn', observed: warnings.join('; ') };
  return { status: 'pass', observed: `${names}: Secure, SameSite set${setCookies.some((line) => sessionPattern.test(parseSetCookie(line).name)) ? ', session cookies HttpOnly' : ''}` };
}

export default defineProbe({
  id: 'http.cookies',
  title: 'Cookies are Secure, HttpOnly and SameSite',
  description:
    'Every Set-Cookie on each service URL (plus the listed paths) has Secure and a SameSite attribute (SameSite=None only with Secure), cookies whose names look like sessions or tokens are HttpOnly, and __Secure-/__Host- prefixed cookies meet their prefix rules (Secure; for __Host- also Path=/ and no Domain).',
  params: z.object({
    ...routeParams,
    /** Extra paths per service whose cookies to inspect, e.g. /api/auth/csrf. */
    paths: z.array(z.string()).default([]),
    sessionCookiePattern: z.string().default('sess|sid|token|auth|jwt|remember|refresh|login'),
  }),
  budgetMs: routeBudget,
  remediation: 'Set SECURE_COOKIES=true and COOKIE_SAME_SITE=lax (or strict); issue session cookies with `{ secure: true, httpOnly: true, sameSite: "lax" }`.',
  suggests: [{ match: /\bcookies?\b/i, severity: 'high' }],
  async run(ctx, params) {
    const pattern = new RegExp(params.sessionCookiePattern, 'i');
    const expected = 'every cookie Secure with SameSite, session cookies HttpOnly';
    const services = routesOf(webTargets(ctx, params.urls), params).map(({ target, routes }) => ({
      target,
      routes: [...routes, ...params.paths.map((path) => ({ subject: `${target.subject} ${path}`, url: new URL(path, target.url) }))],
    }));
    // A cookie set without Secure is set whatever the status; only a clean answer needs a 2xx to count.
    return perRoute(ctx, services, expected, undefined, (response) => judgeCookies(response.setCookies, pattern), {
      hint: ROUTES_HINT,
      evidence: (response) => (response.setCookies.length > 0 && response.status < 500 ? undefined : answeredOk(response)),
    });
  },
});
