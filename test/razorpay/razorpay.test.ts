import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import keys, { judgeKind, keyKind } from '../../checks/razorpay/keys.js';
import { startRazorpayStandIn, type RunningRazorpay } from '../../src/standins/razorpay.js';
import { runProbe } from '../helpers/servers.js';

let razorpay: RunningRazorpay;

beforeAll(async () => {
  razorpay = await startRazorpayStandIn();
});
afterAll(async () => {
  await razorpay.close();
});

const run = runProbe;

function keyEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    RAZORPAY_KEY_ID: razorpay.keyId,
    RAZORPAY_KEY_SECRET: razorpay.keySecret,
    RAZORPAY_API_URL: razorpay.apiUrl,
    ...overrides,
  };
}

describe('razorpay.keys', () => {
  it('passes for a live key pair that authenticates', async () => {
    const finding = await run(keys, keyEnv());
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('rzp_live_');
    expect(finding.observed).toContain('answered 200');
    expect(JSON.stringify({ ...finding, ctx: undefined })).not.toContain(razorpay.keySecret);
    expect(JSON.stringify({ ...finding, ctx: undefined })).not.toContain(razorpay.keyId);
  });

  it('fails when the secret does not match the key id (the API answers 401)', async () => {
    const finding = await run(keys, keyEnv({ RAZORPAY_KEY_SECRET: 'not-the-secret-0123456789' }));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/401 BAD_REQUEST_ERROR: The api key provided is invalid/);
    expect(JSON.stringify({ ...finding, ctx: undefined })).not.toContain('not-the-secret-0123456789');
  });

  it('fails for a test key unless the run is declared non-production; NODE_ENV is not a declaration', async () => {
    const test = await startRazorpayStandIn({ keyId: 'rzp_test_abcdefghijklmn' });
    try {
      const env = (overrides: Record<string, string>) => keyEnv({ RAZORPAY_KEY_ID: test.keyId, RAZORPAY_KEY_SECRET: test.keySecret, RAZORPAY_API_URL: test.apiUrl, ...overrides });
      const finding = await run(keys, env({}));
      expect(finding.status).toBe('fail');
      expect(finding.observed).toContain('a test key (rzp_test_) in production (no BAZAARHUB_ENVIRONMENT or environment param declares a non-production run)');
      expect(finding.details?.find((detail) => detail.subject === 'key pair')?.status).toBe('pass');
      // NODE_ENV=development (or staging) in the env file does not turn a production run into a test one.
      for (const nodeEnv of ['development', 'staging']) {
        const relaxed = await run(keys, env({ NODE_ENV: nodeEnv }));
        expect(relaxed.status).toBe('fail');
        expect(relaxed.observed).toContain(`NODE_ENV=${nodeEnv} does not make it non-production, it is a fault of its own`);
      }
      // A declared staging run accepts test keys: by variable or by the probe's param.
      const staging = await run(keys, env({ BAZAARHUB_ENVIRONMENT: 'staging' }));
      expect(staging.status).toBe('pass');
      expect(staging.observed).toContain('accepted in the staging environment (declared by BAZAARHUB_ENVIRONMENT=staging)');
      expect((await run(keys, env({}), { environment: 'staging' })).status).toBe('pass');
      expect((await run(keys, env({ BAZAARHUB_ENVIRONMENT: 'production' }))).status).toBe('fail');
    } finally {
      await test.close();
    }
  });

  it('errors when the API does not answer, and skips without a key id', async () => {
    const closed = await startRazorpayStandIn();
    await closed.close();
    const finding = await run(keys, keyEnv({ RAZORPAY_API_URL: closed.apiUrl }));
    expect(finding.status).toBe('error');
    expect(finding.observed).toMatch(/no answer/);
    expect((await run(keys, { NODE_ENV: 'production' })).status).toBe('skipped');
    expect((await run(keys, keyEnv({ RAZORPAY_KEY_SECRET: '' }))).status).toBe('fail');
  });

  it('is bounded by the timeout when the API never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const started = Date.now();
      const finding = await run(keys, keyEnv({ RAZORPAY_API_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` }), {}, { timeoutMs: 400 });
      expect(finding.status).toBe('error');
      expect(finding.observed).toMatch(/no response within 400 ms/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('judges key kinds by prefix', () => {
    expect(keyKind('rzp_live_x')).toBe('live');
    expect(keyKind('rzp_test_x')).toBe('test');
    expect(judgeKind(keyKind('pk_live_123'), false).status).toBe('fail');
    expect(judgeKind('test', false).status).toBe('pass');
  });
});
