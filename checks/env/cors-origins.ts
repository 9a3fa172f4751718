import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';

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

export default defineProbe({
  id: 'env.cors-origins',
  sends: { to: 'nothing', what: 'reads the env file and variables only; no network traffic', effect: 'none' },
  title: 'CORS whitelist holds only production https origins',
  description: 'CORS_ORIGIN lists explicit https origins: no "*", no localhost, no plain http.',
  params: z.object({ variable: z.string().default('CORS_ORIGIN') }),
  remediation: 'Set CORS_ORIGIN to the comma-separated https origins of the storefront, vendor panel and admin panel.',
  suggests: [{ match: /CORS whitelist/i, severity: 'high' }],
  async run(ctx, params) {
    const raw = ctx.target.get(params.variable);
    const expected = 'a comma-separated list of https production origins';
    if (raw === undefined) return { status: 'fail', observed: `${params.variable} is not set (the backend's default may allow every origin)`, expected };
    const origins = raw.split(/[,\s]+/).map((origin) => origin.trim()).filter(Boolean);
    return combine(origins.map(judgeOrigin), expected);
  },
});
