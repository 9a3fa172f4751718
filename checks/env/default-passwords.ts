import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import type { Target } from '../../src/target/target.js';
import { NOT_SECRET, SECRET_NAME, URL_NAME } from '../../src/target/variables.js';
import { looksLikePlaceholder } from './weak-values.js';

/** Every credential in the env: secret-named variables and passwords embedded in URLs/DSNs. */
export function credentials(target: Target): Array<{ subject: string; value: string }> {
  const found: Array<{ subject: string; value: string }> = [];
  for (const name of target.names()) {
    const value = target.get(name);
    if (value === undefined) continue;
    if (SECRET_NAME.test(name) && !NOT_SECRET.has(name) && !/_KEY_ID$|ACCESS_KEY_ID$/.test(name)) found.push({ subject: name, value });
    if (URL_NAME.test(name) || value.includes('://')) {
      try {
        const url = new URL(value);
        if (url.password) found.push({ subject: `${name} password`, value: decodeURIComponent(url.password) });
      } catch {
        // not a URL
      }
    }
  }
  return found;
}

export default defineProbe({
  id: 'env.default-passwords',
  sends: { to: 'nothing', what: 'reads the env file and variables only; no network traffic', effect: 'none' },
  title: 'No default or example passwords',
  description: 'No credential variable or DSN password is a default, example or placeholder value.',
  params: z.object({ ignore: z.array(z.string()).default([]) }),
  remediation: 'Replace every default or example credential with a generated one and rotate it on the server side too.',
  suggests: [{ match: /default passwords/i, severity: 'critical' }],
  async run(ctx, params) {
    const details: FindingDetail[] = credentials(ctx.target)
      .filter((credential) => !params.ignore.includes(credential.subject))
      .map(({ subject, value }) =>
        looksLikePlaceholder(value) ? { subject, status: 'fail', observed: 'a default or example value' } : { subject, status: 'pass', observed: 'not a known default' },
      );
    if (details.length === 0) return { status: 'warn', observed: 'no credential variables found in the env file', expected: 'the deployment credentials to be set and non-default' };
    return combine(details, 'no credential equal to a default, example or placeholder value');
  },
});
