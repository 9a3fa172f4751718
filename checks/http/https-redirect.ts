import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { getFact } from '../../src/facts/http.js';
import { header, perTarget, urlsParam, webTargets, type WebTarget } from './services.js';

/** Pure judgement of the plain-http answer for the service whose https URL is `httpsUrl`. */
export function judgeRedirect(response: { status: number; headers: Record<string, string> }, plainUrl: URL, httpsUrl: URL): Omit<FindingDetail, 'subject'> {
  const location = header(response, 'location');
  if (response.status < 300 || response.status > 399 || !location) {
    return { status: 'fail', observed: `${plainUrl.origin} answered ${response.status} over plain http without redirecting` };
  }
  let target: URL;
  try {
    target = new URL(location, plainUrl);
  } catch {
    return { status: 'fail', observed: `redirects to an invalid Location "${location}"` };
  }
  if (target.protocol !== 'https:') return { status: 'fail', observed: `${response.status} redirect to ${target.href}, which is not https` };
  if (target.hostname !== httpsUrl.hostname) return { status: 'fail', observed: `${response.status} redirect to another host (${target.host})` };
  if (response.status === 301 || response.status === 308) return { status: 'pass', observed: `${response.status} to ${target.origin}${target.pathname}` };
  return { status: 'warn', observed: `temporary ${response.status} redirect to ${target.origin}${target.pathname}; browsers will not remember it` };
}

/** The plain-http URL to try: the per-service override, the param, or the https URL's host on port 80. */
export function plainUrlOf(target: WebTarget, overrides: Record<string, string>): URL {
  const override = overrides[target.subject] ?? overrides[target.url.origin];
  if (override) return new URL(override);
  if (target.httpUrl) return target.httpUrl;
  if (target.url.protocol === 'http:') return target.url;
  const plain = new URL(target.url.href);
  plain.protocol = 'http:';
  plain.port = '';
  return plain;
}

export default defineProbe({
  id: 'http.https-redirect',
  sends: { to: 'each service\'s plain http:// URL (port 80, or APP_HTTP_URL, ... / httpUrls)', what: 'one GET per service, no body; the redirect is read, never followed', effect: 'none' },
  title: 'Plain http redirects to https',
  description:
    'For every service, a GET of the plain http:// URL (default: the https host on port 80; APP_HTTP_URL, STOREFRONT_HTTP_URL, ... or the httpUrls param override it) answers a permanent redirect to https:// on the same host.',
  params: z.object({
    urls: urlsParam,
    /** Plain-http URL per service name (api, storefront, vendor-panel, admin-panel) or per https origin. */
    httpUrls: z.record(z.string().url()).default({}),
  }),
  remediation: 'Add an nginx server block on port 80 for every hostname with `return 301 https://$host$request_uri;`.',
  suggests: [{ match: /Test HTTPS on all domains|redirect.*https/i, severity: 'critical' }],
  async run(ctx, params) {
    const expected = 'a 301/308 redirect from http:// to https:// on the same host';
    const targets = webTargets(ctx, params.urls).map((target) => ({ ...target, url: plainUrlOf(target, params.httpUrls), httpsUrl: target.url }));
    // Nothing listening on plain http is not a pass: users typing the bare domain get an error.
    return perTarget(targets, expected, undefined, async (target) => judgeRedirect(await getFact(ctx, target.url), target.url, target.httpsUrl), { unreachable: 'warn' });
  },
});
