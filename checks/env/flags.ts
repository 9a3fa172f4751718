import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe } from '../../src/engine/types.js';

export default defineProbe({
  id: 'env.flags',
  sends: { to: 'nothing', what: 'reads the env file and variables only; no network traffic', effect: 'none' },
  title: 'Production flags are set',
  description: 'NODE_ENV=production, HTTPS_ONLY=true and SECURE_COOKIES=true (or the flags given as params).',
  params: z.object({
    expect: z.record(z.string()).default({ NODE_ENV: 'production', HTTPS_ONLY: 'true', SECURE_COOKIES: 'true' }),
  }),
  remediation: 'Set the listed variables to the expected values in .env.production and redeploy.',
  suggests: [{ match: /\b([A-Z][A-Z0-9_]+)=([A-Za-z0-9_.-]+)/, severity: 'high', params: (m) => ({ expect: { [m[1] as string]: m[2] as string } }) }],
  async run(ctx, params) {
    const details = Object.entries(params.expect).map(([name, expected]) => {
      const value = ctx.target.get(name);
      if (value === undefined) return { subject: name, status: 'fail' as const, observed: 'not set' };
      const ok = value.trim().toLowerCase() === expected.toLowerCase();
      return { subject: name, status: ok ? ('pass' as const) : ('fail' as const), observed: ok ? value : `"${value}"` };
    });
    return combine(details, Object.entries(params.expect).map(([k, v]) => `${k}=${v}`).join(', '));
  },
});
