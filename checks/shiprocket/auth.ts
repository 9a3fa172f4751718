import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { SHIPROCKET_BASE_URL, shiprocketLogin, shiprocketRead, shiprocketRoot, type ShiprocketAnswer } from '../../src/facts/shiprocket.js';

function said(answer: ShiprocketAnswer): string {
  return `${answer.status}${answer.message ? ` "${answer.message}"` : ''}`;
}

export function judgeLogin(answer: ShiprocketAnswer & { token?: string }): FindingDetail {
  const subject = 'login';
  if (answer.error !== undefined) return { subject, status: 'error', observed: `no answer: ${answer.error}` };
  if (answer.status === 200 && answer.token) return { subject, status: 'pass', observed: 'credentials accepted, token issued' };
  if (answer.status === 200) return { subject, status: 'fail', observed: 'answered 200 without a token' };
  if (answer.status === 400 || answer.status === 401 || answer.status === 403 || answer.status === 422) return { subject, status: 'fail', observed: `credentials rejected (${said(answer)})` };
  return { subject, status: 'error', observed: `answered ${said(answer)}` };
}

export function judgeRead(answer: ShiprocketAnswer, path: string): FindingDetail {
  const subject = `GET ${path}`;
  if (answer.error !== undefined) return { subject, status: 'error', observed: `no answer: ${answer.error}` };
  if (answer.status !== undefined && answer.status >= 200 && answer.status < 300) return { subject, status: 'pass', observed: `answered ${answer.status}` };
  if (answer.status === 401 || answer.status === 403) return { subject, status: 'fail', observed: `token refused (${said(answer)})` };
  return { subject, status: 'fail', observed: `answered ${said(answer)}` };
}

export default defineProbe({
  id: 'shiprocket.auth',
  sends: { to: 'the Shiprocket API (SHIPROCKET_BASE_URL)', what: 'POST /auth/login with SHIPROCKET_EMAIL/PASSWORD (no login when SHIPROCKET_API_KEY holds a token), then one GET of readPath (default /settings/company/pickup)', effect: 'none beyond a login token Shiprocket issues' },
  title: 'Shiprocket credentials log in and a read works',
  description:
    'Logs in to the Shiprocket external API with SHIPROCKET_EMAIL/SHIPROCKET_PASSWORD (POST /auth/login), or uses SHIPROCKET_API_KEY as the bearer token, then makes a harmless read (GET /settings/company/pickup by default).',
  params: z.object({
    /** API root; default SHIPROCKET_BASE_URL, then https://apiv2.shiprocket.in/v1/external. */
    baseUrl: z.string().default(''),
    /** The read made with the token, relative to the API root. */
    readPath: z.string().default('/settings/company/pickup'),
  }),
  remediation:
    'Create an API user in Shiprocket (Settings → API → Configure) and set SHIPROCKET_EMAIL and SHIPROCKET_PASSWORD (or a current token in SHIPROCKET_API_KEY) in .env.production.',
  suggests: [{ match: /shiprocket (api|account)/i, severity: 'high' }],
  async run(ctx, params): Promise<Finding> {
    const expected = 'the Shiprocket credentials log in and an authenticated read answers 2xx';
    const base = params.baseUrl || ctx.target.get('SHIPROCKET_BASE_URL') || SHIPROCKET_BASE_URL;
    const root = shiprocketRoot(base);
    const email = ctx.target.get('SHIPROCKET_EMAIL');
    const password = ctx.target.get('SHIPROCKET_PASSWORD');
    const details: FindingDetail[] = [];
    let token: string | undefined;
    if (email && password) {
      const login = await shiprocketLogin(ctx, root, email, password);
      details.push(judgeLogin(login));
      token = login.token;
    } else {
      token = ctx.target.get('SHIPROCKET_API_KEY');
      if (!token) return { status: 'skipped', observed: 'no Shiprocket credentials: set SHIPROCKET_EMAIL and SHIPROCKET_PASSWORD, or SHIPROCKET_API_KEY', expected };
      details.push({ subject: 'login', status: 'pass', observed: 'using SHIPROCKET_API_KEY as the bearer token' });
    }
    if (token) details.push(judgeRead(await shiprocketRead(ctx, root, token, params.readPath), params.readPath));
    return combine(details, `${root.origin}${root.pathname}: ${expected}`);
  },
});
