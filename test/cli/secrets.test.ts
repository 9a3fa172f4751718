import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatNames } from '../../src/report/formats.js';
import { runCli, withTempDir } from '../helpers/cli.js';

/** Distinctive values that must never be printed, whatever the format or error path. */
const SECRETS = {
  JWT_SECRET: 'SEEDjwtQ9x7Lk2Vb8Nm4Zr1Tp6Wc3Yh0',
  ENCRYPTION_KEY: 'short-SEEDenc',
  DB_PASSWORD: 'SEEDdbPw7731',
  REDIS_PASSWORD: 'changeme',
  ELASTICSEARCH_PASSWORD: 'SEEDesPw4411',
  RAZORPAY_KEY_SECRET: 'SEEDrzpSecret9',
  RAZORPAY_WEBHOOK_SECRET: 'SEEDwebhook55',
  AWS_SECRET_ACCESS_KEY: 'SEEDawsSecretKey0099',
  SMTP_PASSWORD: 'SEEDsmtp123',
  SMS_AUTH_TOKEN: 'SEEDsmsTok77',
  SHIPROCKET_API_KEY: 'SEEDshipKey31',
  ADMIN_PASSWORD: 'SEEDadminPw8',
};
const DSN_PASSWORD = 'SEEDdsnPw5150';
const REDIS_DSN_PASSWORD = 'SEEDredisDsn42';

function envFile(extra = ''): string {
  return [
    'NODE_ENV=production',
    ...Object.entries(SECRETS).map(([key, value]) => `${key}=${value}`),
    `DATABASE_URL=postgres://app:${DSN_PASSWORD}@127.0.0.1:1/bazaarhub`,
    `REDIS_URL=redis://default:${REDIS_DSN_PASSWORD}@127.0.0.1:1`,
    'APP_URL=https://127.0.0.1:1',
    // Every integration with a public default endpoint is pointed at a closed loopback port.
    'SHIPROCKET_BASE_URL=http://127.0.0.1:1/v1/external',
    'RAZORPAY_API_URL=http://127.0.0.1:1',
    extra,
  ].join('\n');
}

const SEEDS = [...Object.values(SECRETS), DSN_PASSWORD, REDIS_DSN_PASSWORD];

function expectNoSecret(text: string, where: string): void {
  for (const secret of SEEDS) expect(text.includes(secret), `${where} leaks ${secret.slice(0, 6)}…`).toBe(false);
}

describe('no secret ever reaches an output', () => {
  it('every format, on stdout, --out and --report, and the progress stream', async () => {
    await withTempDir(async (dir) => {
      const env = join(dir, '.env.production');
      await writeFile(env, envFile());
      for (const format of formatNames()) {
        const out = join(dir, `report.${format}`);
        const result = await runCli(['run', '--env-file', env, '--format', format, '--verbose', '--timeout', '2', '--report', `${format}=${out}`]);
        expect([0, 1, 3]).toContain(result.code);
        expectNoSecret(result.stdout, `${format} stdout`);
        expectNoSecret(result.stderr, `${format} stderr`);
        expectNoSecret(await readFile(out, 'utf8'), `${format} file`);
      }
    });
  });

  it('error paths: a malformed DSN, a bad URL and a bad --set never echo the value', async () => {
    await withTempDir(async (dir) => {
      const env = join(dir, '.env.production');
      await writeFile(env, envFile(`DATABASE_URL=mysql://root:${DSN_PASSWORD}@db/x`));
      const bad = await runCli(['run', '--env-file', env]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/DATABASE_URL has scheme "mysql"/);
      expectNoSecret(bad.stderr + bad.stdout, 'bad DSN error');

      await writeFile(env, envFile(`ELASTICSEARCH_URL=http//elastic:${SECRETS.ELASTICSEARCH_PASSWORD}@es`));
      const badUrl = await runCli(['run', '--env-file', env]);
      expect(badUrl.code).toBe(2);
      expectNoSecret(badUrl.stderr, 'bad URL error');

      const badSet = await runCli(['run', '--env-file', env, '--set', SECRETS.JWT_SECRET]);
      expect(badSet.code).toBe(2);
      expectNoSecret(badSet.stderr, 'bad --set error');
    });
  });
});
