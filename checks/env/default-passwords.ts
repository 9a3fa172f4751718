import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import type { Target } from '../../src/target/target.js';
import { NOT_SECRET, SECRET_NAME, URL_NAME } from '../../src/target/variables.js';
import { COMPOSE_DEFAULTS, weakness } from './weak-values.js';

/** Every credential in the env: secret-named variables and passwords embedded in URLs/DSNs. */
export function credentials(target: Target): Array<{ subject: string; value: string }> {
  const found: Array<{ subject: string; value: string }> = [];
  for (const name of target.names()) {
    const value = target.get(name);
    if (value === undefined) continue;
    const url = parseUrl(value);
    const secretName = SECRET_NAME.test(name) && !NOT_SECRET.has(name) && !/_KEY_ID$|ACCESS_KEY_ID$/.test(name);
    // A URL (SENTRY_DSN, DATABASE_URL) is judged by its credential part, never by the words of its host or path.
    if (secretName && !url) found.push({ subject: name, value });
    // An identifier that is one of BazaarHub's compose defaults (RAZORPAY_KEY_ID=rzp_test_dummy) is a default too.
    else if (!url && COMPOSE_DEFAULTS.has(value.trim().toLowerCase())) found.push({ subject: name, value });
    if (url && (URL_NAME.test(name) || secretName)) {
      // The subject never reads "NAME password:", which a weak password equal to that word would mask.
      if (url.password) found.push({ subject: `${name} (the password in the URL)`, value: decodeURIComponent(url.password) });
      else if (secretName && url.username) found.push({ subject: `${name} (the key in the URL)`, value: decodeURIComponent(url.username) });
    }
  }
  return found;
}

function parseUrl(value: string): URL | undefined {
  if (!value.includes('://')) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export default defineProbe({
  id: 'env.default-passwords',
  title: 'No default or example passwords',
  description:
    "No credential variable or DSN password (DATABASE_URL, REDIS_URL, ...) is a default, example or placeholder value: BazaarHub's docker-compose defaults (mercurjs_password, redis_password, dev-secret-change-in-production, dummy_secret, dummy_webhook_secret, rzp_test_dummy), well-known defaults, or a value written from template words (change, default, example, secret, password, dev, test, dummy, ...) judged as whole tokens, so a generated secret is never flagged for a chance substring.",
  params: z.object({ ignore: z.array(z.string()).default([]) }),
  remediation: 'Replace every default or example credential with a generated one (openssl rand -base64 32) and rotate it on the server side too (ALTER ROLE ... PASSWORD, Redis requirepass, the Razorpay Dashboard).',
  suggests: [{ match: /default passwords/i, severity: 'critical' }],
  async run(ctx, params) {
    const details: FindingDetail[] = credentials(ctx.target)
      .filter((credential) => !params.ignore.includes(credential.subject) && !params.ignore.includes(credential.subject.replace(/ \(.*\)$/, '')))
      .map(({ subject, value }) => {
        const why = weakness(value);
        return why ? { subject, status: 'fail', observed: why } : { subject, status: 'pass', observed: 'not a known default' };
      });
    if (details.length === 0) return { status: 'warn', observed: 'no credential variables found in the env file', expected: 'the deployment credentials to be set and non-default' };
    return combine(details, 'no credential equal to a default, example or placeholder value, or written from template words');
  },
});
