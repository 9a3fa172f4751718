import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { getFact, send, type HttpResponse } from '../../src/facts/http.js';
import { describeText, expand, jsonPointer, regexString, short, textExpectation, textProblem } from './expect.js';

const SERVICES = ['api', 'storefront', 'vendor-panel', 'admin-panel'] as const;

const params = z.object({
  /** An absolute URL (may use `${VAR}`); when empty, `path` on the `service`'s URL. */
  url: z.string().default(''),
  path: z.string().default('/'),
  service: z.enum(SERVICES).default('api'),
  /** Read-only methods only: nothing the probe sends may make the application act. */
  method: z.enum(['GET', 'HEAD', 'OPTIONS']).default('GET'),
  headers: z.record(z.string()).default({}),
  expect: z
    .object({
      status: z.union([z.number().int(), z.array(z.number().int()).min(1)]).default(200),
      headers: z.record(textExpectation).default({}),
      body: z
        .object({
          contains: z.string().optional(),
          notContains: z.string().optional(),
          matches: regexString.optional(),
          json: z.array(z.object({ pointer: z.string(), equals: z.unknown().optional(), matches: regexString.optional(), present: z.boolean().optional() })).default([]),
        })
        .default({}),
      maxMs: z.number().positive().optional(),
    })
    .default({}),
});
type Params = z.output<typeof params>;

/** Every way `response` differs from what the params expect (empty when it meets them). */
export function judgeResponse(response: HttpResponse, expect: Params['expect']): string[] {
  const problems: string[] = [];
  const statuses = Array.isArray(expect.status) ? expect.status : [expect.status];
  if (!statuses.includes(response.status)) problems.push(`status ${response.status}, expected ${statuses.join(' or ')}`);
  for (const [name, expectation] of Object.entries(expect.headers)) {
    const problem = textProblem(response.headers[name.toLowerCase()], expectation);
    if (problem) problems.push(`header ${name}: ${problem}`);
  }
  const { body } = expect;
  if (body.contains !== undefined && !response.body.includes(body.contains)) problems.push(`body does not contain "${body.contains}"`);
  if (body.notContains !== undefined && response.body.includes(body.notContains)) problems.push(`body contains "${body.notContains}"`);
  if (body.matches !== undefined && !new RegExp(body.matches).test(response.body)) problems.push(`body does not match /${body.matches}/`);
  if (body.json.length) {
    let document: unknown;
    try {
      document = JSON.parse(response.body);
    } catch {
      problems.push(`body is not JSON (${response.headers['content-type'] ?? 'no content-type'}: "${short(response.body, 60)}")`);
      return problems;
    }
    for (const check of body.json) {
      const found = jsonPointer(document, check.pointer);
      if (!found.found) {
        if (check.present !== false) problems.push(`JSON ${check.pointer} is missing`);
        continue;
      }
      if (check.present === false) problems.push(`JSON ${check.pointer} is present`);
      const text = typeof found.value === 'string' ? found.value : JSON.stringify(found.value);
      if (check.equals !== undefined && JSON.stringify(found.value) !== JSON.stringify(check.equals)) problems.push(`JSON ${check.pointer} is ${short(text, 60)}, expected ${JSON.stringify(check.equals)}`);
      if (check.matches !== undefined && !new RegExp(check.matches).test(text)) problems.push(`JSON ${check.pointer} is ${short(text, 60)}, not matching /${check.matches}/`);
    }
  }
  if (expect.maxMs !== undefined && response.totalMs > expect.maxMs) problems.push(`took ${Math.round(response.totalMs)} ms, over ${expect.maxMs} ms`);
  return problems;
}

function describeExpect(method: string, url: string, expect: Params['expect']): string {
  const parts = [`${method} ${url} answers ${Array.isArray(expect.status) ? expect.status.join(' or ') : expect.status}`];
  for (const [name, expectation] of Object.entries(expect.headers)) parts.push(`${name} ${describeText(expectation)}`);
  if (expect.body.contains !== undefined) parts.push(`body contains "${expect.body.contains}"`);
  if (expect.body.notContains !== undefined) parts.push(`body without "${expect.body.notContains}"`);
  if (expect.body.matches !== undefined) parts.push(`body matches /${expect.body.matches}/`);
  for (const check of expect.body.json) parts.push(`${check.pointer}${check.present === false ? ' absent' : check.equals !== undefined ? ` = ${JSON.stringify(check.equals)}` : check.matches !== undefined ? ` ~ /${check.matches}/` : ' present'}`);
  if (expect.maxMs !== undefined) parts.push(`within ${expect.maxMs} ms`);
  return parts.join('; ');
}

export default defineProbe({
  id: 'http.request',
  sends: { to: 'the URL or the service path in params', what: 'one GET, HEAD or OPTIONS request (other methods are refused at load) with the headers in params; no body', effect: 'none' },
  title: 'An HTTP request answers as the catalog says',
  description: 'Sends one GET, HEAD or OPTIONS (never anything that writes) to a URL or a service path and checks status, headers, body text, JSON pointers and time. Redirects are not followed.',
  params,
  remediation: 'Fix the endpoint (or the expectation in the catalog) so the response matches.',
  suggests: [
    {
      // "Verify /api/v1/status returns 200", "Check https://shop.example.com/robots.txt returns 200"
      match: /(?:^|\s|`)((?:https?:\/\/[^\s`'")]+)|\/[\w\-./]*)`?\s+(?:returns?|responds? with|answers?|gives)\s+(?:(?:an?\s+)?HTTP\s+)?(\d{3})\b/i,
      params: (m) => {
        const target = m[1] as string;
        return { ...(target.startsWith('/') ? { path: target } : { url: target }), expect: { status: Number(m[2]) } };
      },
    },
    {
      // "Check that the admin panel is not public": its URL must not answer 200 to anyone.
      match: /\badmin panel\b.*\bnot (?:public|publicly (?:reachable|accessible)|exposed)\b/i,
      params: { service: 'admin-panel', path: '/', expect: { status: [401, 403, 404] } },
      severity: 'critical',
    },
  ],
  async run(ctx, p): Promise<Finding> {
    let url: URL;
    if (p.url) {
      const expanded = expand(p.url, ctx.target);
      if ('missing' in expanded) return { status: 'skipped', observed: `${expanded.missing} is not set`, expected: `a URL for ${p.url}` };
      try {
        url = new URL(expanded.value);
      } catch {
        return { status: 'error', observed: `"${p.url}" is not a valid URL`, expected: 'an absolute http(s) URL' };
      }
    } else {
      const service = ctx.target.services().find((candidate) => candidate.name === p.service);
      if (!service) return { status: 'skipped', observed: `no URL for the ${p.service} service (set ${p.service === 'api' ? 'APP_URL' : `${p.service.toUpperCase().replace('-', '_')}_URL`})`, expected: `${p.method} ${p.path} on ${p.service}` };
      url = new URL(p.path, service.url);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: 'error', observed: `${url.protocol} is not http or https`, expected: 'an http(s) URL' };
    const expected = describeExpect(p.method, url.href, p.expect);
    let response: HttpResponse;
    try {
      // A plain GET is the run's shared fact for that URL; anything else is this probe's own request.
      response = p.method === 'GET' && Object.keys(p.headers).length === 0 ? await getFact(ctx, url) : await send(ctx, url, { method: p.method, headers: p.headers });
    } catch (error) {
      return { status: 'error', observed: `${p.method} ${url.href}: ${error instanceof Error ? error.message : String(error)}`, expected };
    }
    const problems = judgeResponse(response, p.expect);
    const seen = `${p.method} ${url.href}: ${response.status} in ${Math.round(response.totalMs)} ms`;
    if (problems.length) return { status: 'fail', observed: `${seen}; ${problems.join('; ')}`, expected };
    return { status: 'pass', observed: `${seen}, as expected`, expected };
  },
});
