import { afterEach, describe, expect, it } from 'vitest';
import corsOrigins from '../../checks/env/cors-origins.js';
import dbPool from '../../checks/env/db-pool.js';
import defaultPasswords from '../../checks/env/default-passwords.js';
import flags from '../../checks/env/flags.js';
import required from '../../checks/env/required.js';
import secretStrength from '../../checks/env/secret-strength.js';
import type { Probe } from '../../src/engine/types.js';
import { makeContext } from '../helpers/context.js';

const contexts: Array<{ close(): Promise<void> }> = [];
afterEach(async () => Promise.all(contexts.splice(0).map((ctx) => ctx.close())));

async function run(probe: Probe, env: Record<string, string>, params: Record<string, unknown> = {}) {
  const ctx = makeContext(env);
  contexts.push(ctx);
  return probe.run(ctx, probe.params.parse(params));
}

const STRONG = 'Qm8#xT2v!L9pZr4Kw7Ny1Hb6Jc3Fd0Gs5Ue';

describe('env.secret-strength', () => {
  it('passes long random secrets', async () => {
    expect((await run(secretStrength, { JWT_SECRET: STRONG, ENCRYPTION_KEY: `${STRONG}x` })).status).toBe('pass');
  });
  it('fails short, placeholder, low-entropy and missing secrets, without echoing them', async () => {
    const finding = await run(secretStrength, { JWT_SECRET: 'tooshort', ENCRYPTION_KEY: 'a'.repeat(40) });
    expect(finding.status).toBe('fail');
    expect(finding.details?.map((d) => d.status)).toEqual(['fail', 'fail']);
    expect(finding.observed).toContain('8 characters');
    expect(finding.observed).toContain('low entropy');
    expect(JSON.stringify(finding)).not.toContain('tooshort');
    expect((await run(secretStrength, { JWT_SECRET: 'your-super-secret-jwt-key-change-this-in-production', ENCRYPTION_KEY: STRONG })).observed).toContain('placeholder');
    expect((await run(secretStrength, { ENCRYPTION_KEY: STRONG })).observed).toContain('JWT_SECRET: not set');
    // BazaarHub's compose default and any long secret written from template words.
    expect((await run(secretStrength, { JWT_SECRET: 'dev-secret-change-in-production', ENCRYPTION_KEY: STRONG })).observed).toBe("JWT_SECRET: BazaarHub's docker-compose default (JWT_SECRET) (31 characters)");
    const wordy = await run(secretStrength, { JWT_SECRET: 'our-production-jwt-secret-for-bazaarhub-2025', ENCRYPTION_KEY: 'Development_Encryption_Key_Do_Not_Use_0001' });
    expect(wordy.status).toBe('fail');
    expect(wordy.observed).toBe('JWT_SECRET: written from template words ("secret"), not generated (44 characters); ENCRYPTION_KEY: written from template words ("development"), not generated (42 characters)');
  });
});

describe('env.default-passwords', () => {
  it('passes generated credentials and fails defaults, in variables and DSNs', async () => {
    expect((await run(defaultPasswords, { DB_PASSWORD: 'f83kd9s0aQ', DATABASE_URL: 'postgres://app:Zk29xq81@db/x' })).status).toBe('pass');
    const finding = await run(defaultPasswords, { DB_PASSWORD: 'f83kd9s0aQ', DATABASE_URL: 'postgres://app:postgres@db/x', ADMIN_PASSWORD: 'Admin123' });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('DATABASE_URL (the password in the URL): a well-known default');
    expect(finding.observed).toContain('ADMIN_PASSWORD');
  });
  it("fails every one of BazaarHub's compose defaults, in variables and in DSNs", async () => {
    const finding = await run(defaultPasswords, {
      DATABASE_URL: 'postgres://mercurjs_user:mercurjs_password@postgres:5432/mercurjs',
      REDIS_URL: 'redis://:redis_password@redis:6379',
      REDIS_PASSWORD: 'redis_password',
      JWT_SECRET: 'dev-secret-change-in-production',
      RAZORPAY_KEY_ID: 'rzp_test_dummy',
      RAZORPAY_KEY_SECRET: 'dummy_secret',
      RAZORPAY_WEBHOOK_SECRET: 'dummy_webhook_secret',
    });
    expect(finding.status).toBe('fail');
    expect(Object.fromEntries((finding.details ?? []).map((detail) => [detail.subject, detail.observed]))).toEqual({
      'DATABASE_URL (the password in the URL)': "BazaarHub's docker-compose default (POSTGRES_PASSWORD)",
      'REDIS_URL (the password in the URL)': "BazaarHub's docker-compose default (REDIS_PASSWORD)",
      REDIS_PASSWORD: "BazaarHub's docker-compose default (REDIS_PASSWORD)",
      JWT_SECRET: "BazaarHub's docker-compose default (JWT_SECRET)",
      RAZORPAY_KEY_ID: "BazaarHub's docker-compose default (RAZORPAY_KEY_ID)",
      RAZORPAY_KEY_SECRET: "BazaarHub's docker-compose default (RAZORPAY_KEY_SECRET)",
      RAZORPAY_WEBHOOK_SECRET: "BazaarHub's docker-compose default (RAZORPAY_WEBHOOK_SECRET)",
    });
  });

  it('fails values written from template words, judged as tokens, and never a generated secret by chance', async () => {
    const weak = ['staging-secret-2024', 'prod_password_x9', 'MyDevKey2025', 'change.it.later', 'k8s-default-token', 'test123', 'ExampleValue', 'dummy'];
    for (const value of weak) {
      const finding = await run(defaultPasswords, { SMTP_PASSWORD: value });
      expect(finding.status, value).toBe('fail');
    }
    expect((await run(defaultPasswords, { SMTP_PASSWORD: 'staging-secret-2024' })).observed).toBe('SMTP_PASSWORD: written from template words ("secret"), not generated');
    // Substrings inside generated values are not words: no false alarm.
    const strong = ['Xk9testQ7vB2mdevZr4secretWp', 'a1b2c3d4e5f6789012345678abcdef00', 'q8Rdev3xTe5t_Lm0pZ-Qx7rK2vW9yB4n', 'bypass-Qm8xT2vL9pZr4', 'ChangXk29Pq', 'latest-Zk29xq81Wm', 'correct-horse-battery-staple'];
    for (const value of strong) {
      const finding = await run(defaultPasswords, { SMTP_PASSWORD: value });
      expect(finding.status, value).toBe('pass');
    }
    // A URL is judged by its credential, not by the words of its host or path.
    expect((await run(defaultPasswords, { SENTRY_DSN: 'https://4f9c2a7d1e8b4c3a9f0e6d5c4b3a2f1e@o12345.ingest.test-example.dev/67' })).status).toBe('pass');
    expect((await run(defaultPasswords, { SENTRY_DSN: 'https://example@o1.ingest.sentry.io/2' })).observed).toBe('SENTRY_DSN (the key in the URL): a well-known default');
    // 2,000 random base64url secrets of 43 characters: not one flagged.
    const { randomBytes } = await import('node:crypto');
    const { weakness } = await import('../../checks/env/weak-values.js');
    const flagged = Array.from({ length: 2000 }, () => randomBytes(32).toString('base64url')).filter((value) => weakness(value) !== undefined);
    expect(flagged).toEqual([]);
  });

  it('warns when there are no credentials at all', async () => {
    expect((await run(defaultPasswords, { NODE_ENV: 'production' })).status).toBe('warn');
  });
});

describe('env.flags', () => {
  it('passes production flags and fails wrong or missing ones', async () => {
    expect((await run(flags, { NODE_ENV: 'production', HTTPS_ONLY: 'true', SECURE_COOKIES: 'TRUE' })).status).toBe('pass');
    const finding = await run(flags, { NODE_ENV: 'development', HTTPS_ONLY: 'true' });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('NODE_ENV: "development"; SECURE_COOKIES: not set');
  });
});

describe('env.required', () => {
  it('accepts either DSN or DB_* parts, and names what is missing', async () => {
    expect((await run(required, { DATABASE_URL: 'postgres://a:b@h/d' }, { groups: ['database'] })).status).toBe('pass');
    expect((await run(required, { DB_HOST: 'h', DB_NAME: 'd', DB_USER: 'u', DB_PASSWORD: 'p' }, { groups: ['database'] })).status).toBe('pass');
    const finding = await run(required, { DB_HOST: 'h' }, { groups: ['database'] });
    expect(finding).toEqual(expect.objectContaining({ status: 'fail', observed: 'Database credentials: missing DATABASE_URL' }));
  });
  it('counts Elasticsearch credentials embedded in the URL', async () => {
    expect((await run(required, { ELASTICSEARCH_URL: 'https://elastic:pw@es:9200' }, { groups: ['elasticsearch'] })).status).toBe('pass');
  });
});

describe('env.cors-origins', () => {
  it('passes explicit https origins', async () => {
    expect((await run(corsOrigins, { CORS_ORIGIN: 'https://shop.example.com, https://vendor.example.com' })).status).toBe('pass');
  });
  it('fails wildcard, localhost, http and unset', async () => {
    for (const value of ['*', 'https://shop.example.com,http://localhost:3000', 'http://shop.example.com', 'null']) {
      expect((await run(corsOrigins, { CORS_ORIGIN: value })).status, value).toBe('fail');
    }
    expect((await run(corsOrigins, {})).status).toBe('fail');
  });
});

describe('env.db-pool', () => {
  it('passes 20-50 and fails outside, unset or malformed', async () => {
    expect((await run(dbPool, { DB_POOL_MAX: '30' })).status).toBe('pass');
    const cases: Array<Record<string, string>> = [{ DB_POOL_MAX: '10' }, { DB_POOL_MAX: '80' }, {}, { DB_POOL_MAX: 'lots' }, { DB_POOL_MAX: '30', DB_POOL_MIN: '40' }];
    for (const env of cases) {
      expect((await run(dbPool, env)).status, JSON.stringify(env)).toBe('fail');
    }
  });
});
