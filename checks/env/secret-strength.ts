import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { weakness } from './weak-values.js';

/** Shannon entropy in bits per character: a cheap guard against "aaaa…" and "abcabc…" secrets. */
export function entropyPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export function judgeSecret(name: string, value: string | undefined, minLength: number, minEntropy: number): FindingDetail {
  if (value === undefined) return { subject: name, status: 'fail', observed: 'not set' };
  const length = [...value].length;
  const why = weakness(value);
  if (why) return { subject: name, status: 'fail', observed: `${why} (${length} characters)` };
  if (length < minLength) return { subject: name, status: 'fail', observed: `${length} characters` };
  const entropy = entropyPerChar(value);
  if (entropy < minEntropy) return { subject: name, status: 'fail', observed: `${length} characters but low entropy (${entropy.toFixed(1)} bits/char)` };
  return { subject: name, status: 'pass', observed: `${length} characters, ${entropy.toFixed(1)} bits/char` };
}

export default defineProbe({
  id: 'env.secret-strength',
  title: 'Secrets are long, random and not placeholders',
  description:
    "JWT_SECRET and ENCRYPTION_KEY (by default) have at least 32 characters, are not low-entropy, and are neither a known default (BazaarHub's compose JWT_SECRET dev-secret-change-in-production, placeholders) nor written from template words such as change, default, example, secret, password, dev or test (judged as whole tokens, not substrings).",
  params: z.object({
    variables: z.array(z.string()).default(['JWT_SECRET', 'ENCRYPTION_KEY']),
    minLength: z.number().int().positive().default(32),
    minEntropyBitsPerChar: z.number().nonnegative().default(3),
  }),
  remediation: 'Generate each secret with `openssl rand -base64 48` (or a secrets manager) and set it in .env.production.',
  suggests: [
    { match: /\b(JWT_SECRET|ENCRYPTION_KEY)\b.*(32|strong)/i, params: (m) => ({ variables: [m[1]?.toUpperCase()] }), severity: 'critical' },
  ],
  async run(ctx, params) {
    const details = params.variables.map((name) => judgeSecret(name, ctx.target.get(name), params.minLength, params.minEntropyBitsPerChar));
    return combine(details, `${params.variables.join(', ')}: at least ${params.minLength} random characters, not a placeholder`);
  },
});
