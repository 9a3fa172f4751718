import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail, type ProbeContext } from '../../src/engine/types.js';
import { errorMessage } from '../../src/util/errors.js';
import { corsExchangeKey, corsUrlOf, FOREIGN_ORIGIN, judgeCors, observeCors } from '../http/cors.js';
import { routeParams, routeWaitMs, webTargets, routeBudget } from '../http/services.js';

const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|[^.]+\.local|[^.]+\.test)$/i;

export function judgeOrigin(origin: string): FindingDetail {
  if (origin === '*') return { subject: origin, status: 'fail', observed: 'wildcard allows every site' };
  if (origin === 'null') return { subject: origin, status: 'fail', observed: '"null" origin allows sandboxed and file:// pages' };
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { subject: origin, status: 'fail', observed: 'not a valid origin' };
  }
  if (url.hostname.includes('*')) return { subject: origin, status: 'fail', observed: 'wildcard in the host' };
  if (url.protocol !== 'https:') return { subject: origin, status: 'fail', observed: `${url.protocol.replace(':', '')} origin, not https` };
  if (LOCAL.test(url.hostname)) return { subject: origin, status: 'fail', observed: 'a local development origin' };
  if (url.pathname !== '/' || url.search) return { subject: origin, status: 'warn', observed: 'has a path; browsers send only scheme://host[:port]' };
  return { subject: origin, status: 'pass', observed: 'https production origin' };
}

/** What the live API answers a foreign Origin: a detail, or undefined when it could not be observed (with why). */
async function liveApi(ctx: ProbeContext, params: { apiRoutes: string[] }): Promise<{ detail?: FindingDetail; unobserved?: string }> {
  const api = webTargets(ctx, []).find((target) => target.subject === 'api');
  if (!api) return { unobserved: 'no API URL (APP_URL or API_BASE_URL) to ask' };
  const url = corsUrlOf(api, { urls: [], apiRoutes: params.apiRoutes, pages: [] });
  let timer: NodeJS.Timeout | undefined;
  try {
    const bound = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${(routeWaitMs(ctx) / 1000).toFixed(1)} s`)), routeWaitMs(ctx));
    });
    const observations = await Promise.race([observeCors(ctx, url, FOREIGN_ORIGIN, false), bound]);
    const judged = judgeCors(observations, 'fail');
    const subject = `live API ${url.href}`;
    if (judged.status === 'pass') return { detail: { subject, status: 'pass', observed: `allows no foreign origin (asked with Origin: ${FOREIGN_ORIGIN})` } };
    return { detail: { subject, status: 'fail', observed: judged.observed } };
  } catch (error) {
    return { unobserved: `the live API ${url.href} was not observed: ${errorMessage(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

export default defineProbe({
  id: 'env.cors-origins',
  sends: { to: 'the API (APP_URL/API_BASE_URL)', what: 'reads CORS_ORIGIN from the env file, then one GET and one OPTIONS preflight of the first apiRoutes route with a foreign Origin header (shared with http.cors); no body, no credentials', effect: 'none' },
  title: 'CORS whitelist holds only production https origins, and the live API applies it',
  description:
    'CORS_ORIGIN lists explicit https origins (no "*", no localhost, no plain http), and the live API, asked with a foreign Origin (one GET and one OPTIONS preflight of its first apiRoutes route, shared with http.cors), allows no foreign origin. The finding says what is declared and what the live API does; a live API answering "*" or reflecting the origin fails whatever CORS_ORIGIN says.',
  params: z.object({ variable: z.string().default('CORS_ORIGIN'), apiRoutes: routeParams.apiRoutes }),
  budgetMs: routeBudget,
  deliberate: {
    requests: 2,
    per: 'run (a GET and an OPTIONS preflight of the API with a foreign Origin; shared with http.cors)',
    plan: (params, ctx) => {
      const api = webTargets(ctx, []).find((target) => target.subject === 'api');
      return api ? [{ key: corsExchangeKey(corsUrlOf(api, { urls: [], apiRoutes: params.apiRoutes, pages: [] }), FOREIGN_ORIGIN), requests: 2 }] : [];
    },
  },
  remediation:
    'Set CORS_ORIGIN to the comma-separated https origins of the storefront, vendor panel and admin panel, and make the backend use it: `app.use(cors({ origin: process.env.CORS_ORIGIN.split(","), credentials: true }))` instead of `app.use(cors())`, which answers "*" to every site.',
  suggests: [{ match: /CORS whitelist/i, severity: 'high' }],
  async run(ctx, params) {
    const raw = ctx.target.get(params.variable);
    const expected = 'a comma-separated list of https production origins, applied by the live API (no foreign origin allowed)';
    const live = await liveApi(ctx, params);
    const origins = (raw ?? '').split(/[,\s]+/).map((origin) => origin.trim()).filter(Boolean);
    const declaredText = raw === undefined ? `${params.variable} is not set` : `${params.variable} declares ${origins.join(', ')}`;
    const details: FindingDetail[] = origins.map(judgeOrigin);
    if (raw === undefined) {
      // Nothing declared: the live answer decides; a live API that allows no foreign origin has its whitelist elsewhere.
      details.push({ subject: params.variable, status: live.detail?.status === 'pass' ? 'warn' : 'fail', observed: 'not set (the backend\'s default may allow every origin)' });
    }
    if (live.detail) details.push(live.detail);
    const finding = combine(details, expected);
    const declaredProblems = details.filter((detail) => detail !== live.detail && detail.status !== 'pass').map((detail) => `${detail.subject}: ${detail.observed}`);
    const declaredPart = declaredProblems.length > 0 ? `${declaredText} (${declaredProblems.join('; ')})` : declaredText;
    const liveText = live.detail ? `the live API ${live.detail.status === 'pass' || raw === undefined ? '' : 'ignores it and '}${live.detail.observed}` : `${live.unobserved}, so only the declaration was judged`;
    return { ...finding, observed: `${declaredPart}; ${liveText}` };
  },
});
