import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRazorpayStandIn, type RunningRazorpay } from '../../src/standins/razorpay.js';
import { runCli, withTempDir } from '../helpers/cli.js';

/** BazaarHub's docker-compose defaults, as a deployment that kept them would hand the tool. */
let razorpay: RunningRazorpay;
beforeAll(async () => {
  razorpay = await startRazorpayStandIn({ keyId: 'rzp_test_dummy', keySecret: 'dummy_secret', webhookSecret: 'dummy_webhook_secret' });
});
afterAll(async () => {
  await razorpay.close();
});

function composeEnv(): string {
  return [
    'NODE_ENV=development',
    'DATABASE_URL=postgres://mercurjs_user:mercurjs_password@127.0.0.1:1/mercurjs',
    'REDIS_URL=redis://:redis_password@127.0.0.1:1',
    'REDIS_PASSWORD=redis_password',
    'JWT_SECRET=dev-secret-change-in-production',
    'ENCRYPTION_KEY=',
    'RAZORPAY_KEY_ID=rzp_test_dummy',
    'RAZORPAY_KEY_SECRET=dummy_secret',
    'RAZORPAY_WEBHOOK_SECRET=dummy_webhook_secret',
    `RAZORPAY_API_URL=${razorpay.apiUrl}`,
  ].join('\n');
}

interface Entry {
  id: string;
  probe?: string;
  status: string;
  observed: string;
  details?: Array<{ subject: string; status: string; observed: string }>;
}

async function entries(args: string[]): Promise<Map<string, Entry>> {
  const result = await runCli(['run', ...args, '--only', 'env.', '--only', 'razorpay.keys', '--format', 'json', '--quiet']);
  expect(result.stderr).toBe('');
  return new Map((JSON.parse(result.stdout) as { results: Entry[] }).results.map((entry) => [entry.id, entry]));
}

describe("BazaarHub's compose defaults", () => {
  it('fail env.default-passwords, env.secret-strength and the production-keys item; NODE_ENV=development is its own fault', async () => {
    await withTempDir(async (dir) => {
      const env = join(dir, '.env.production');
      await writeFile(env, composeEnv());
      const results = await entries(['--env-file', env]);
      const defaults = results.get('pre-deployment.security.update-all-default-passwords-in-env');
      expect(defaults?.status).toBe('fail');
      expect(defaults?.details?.filter((detail) => detail.status === 'fail').map((detail) => detail.subject).sort()).toEqual(
        ['DATABASE_URL (the password in the URL)', 'JWT_SECRET', 'RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET', 'RAZORPAY_WEBHOOK_SECRET', 'REDIS_PASSWORD', 'REDIS_URL (the password in the URL)'].sort(),
      );
      expect(results.get('pre-deployment.security.generate-strong-jwt-secret')?.observed).toBe("JWT_SECRET: BazaarHub's docker-compose default (JWT_SECRET) (31 characters)");
      const keys = results.get('pre-deployment.third-party-services.create-razorpay-account');
      expect(keys?.status).toBe('fail');
      expect(keys?.observed).toContain('a test key (rzp_test_) in production');
      expect(keys?.observed).toContain('NODE_ENV=development does not make it non-production, it is a fault of its own');
      expect(results.get('deployment.environment-setup.razorpay-production-keys')?.observed).toBe('Razorpay production keys: RAZORPAY_KEY_ID is a test key (rzp_test_), not a production key, and the run targets production (declare another with BAZAARHUB_ENVIRONMENT)');
      const nodeEnv = results.get('deployment.environment-setup.node-env-production');
      expect(nodeEnv?.status).toBe('fail');
      expect(nodeEnv?.observed).toBe('NODE_ENV: "development"');

      // A run declared as staging accepts the test key (it authenticates); the defaults still fail.
      const staging = await entries(['--env-file', env, '--set', 'BAZAARHUB_ENVIRONMENT=staging']);
      expect(staging.get('pre-deployment.third-party-services.create-razorpay-account')).toMatchObject({ status: 'pass' });
      expect(staging.get('pre-deployment.third-party-services.create-razorpay-account')?.observed).toContain('accepted in the staging environment (declared by BAZAARHUB_ENVIRONMENT=staging)');
      expect(staging.get('pre-deployment.security.update-all-default-passwords-in-env')?.status).toBe('fail');
      expect(staging.get('deployment.environment-setup.razorpay-production-keys')?.status).toBe('pass');
    });
  });
});
