import { readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNames } from '../../src/report/formats.js';
import { issueCertificate } from '../../src/standins/certs.js';
import { startRazorpayStandIn, type RunningRazorpay } from '../../src/standins/razorpay.js';
import { runCli, withTempDir } from '../helpers/cli.js';
import { startSilentServer, type SilentServer } from '../helpers/run-probe.js';

/**
 * Distinctive secrets in every credential variable and DSN, driven down the error paths (a TLS
 * error, a 401 from an API, DSNs that are refused or never answer), then every format grepped.
 */
const SEED = {
  JWT_SECRET: 'SEEDjwtHostile0x7Lk2Vb8Nm4Zr1Tp6',
  ENCRYPTION_KEY: 'SEEDencHostile9Qw3Er5Ty7Ui1Op3As',
  DB_PASSWORD: 'SEEDdbHostile4411',
  REDIS_PASSWORD: 'SEEDredisHostile22',
  ELASTICSEARCH_PASSWORD: 'SEEDesHostile7312',
  RAZORPAY_KEY_SECRET: 'SEEDrzpHostile5150',
  RAZORPAY_WEBHOOK_SECRET: 'SEEDhookHostile808',
  AWS_SECRET_ACCESS_KEY: 'SEEDawsHostile0000111122223333',
  SMTP_PASSWORD: 'SEEDsmtpHostile64',
  SMS_AUTH_TOKEN: 'SEEDsmsHostile99',
  SHIPROCKET_PASSWORD: 'SEEDshipHostile31',
  ADMIN_PASSWORD: 'SEEDadminHostile12',
};
const DSN_PASSWORD = 'SEEDdsnHostile6060';
const REDIS_DSN_PASSWORD = 'SEEDredisDsnHostile7';
const SEEDS = [...Object.values(SEED), DSN_PASSWORD, REDIS_DSN_PASSWORD];

let silent: SilentServer;
let untrusted: ReturnType<typeof createHttpsServer>;
let razorpay: RunningRazorpay;
const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;

beforeAll(async () => {
  silent = await startSilentServer();
  const selfSigned = await issueCertificate(undefined, { hosts: ['127.0.0.1'] });
  untrusted = createHttpsServer({ key: selfSigned.key, cert: selfSigned.cert }, (_req, res) => res.end('ok'));
  untrusted.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => untrusted.listen(0, '127.0.0.1', resolve));
  razorpay = await startRazorpayStandIn();
});

afterAll(async () => {
  await silent.close();
  untrusted.closeAllConnections();
  await new Promise((resolve) => untrusted.close(resolve));
  await razorpay.close();
});

function envFile(): string {
  return [
    'NODE_ENV=production',
    ...Object.entries(SEED).map(([key, value]) => `${key}=${value}`),
    // A TLS error: a self-signed certificate nobody trusts.
    `APP_URL=https://127.0.0.1:${port(untrusted)}`,
    // Refused, and never answered.
    `DATABASE_URL=postgres://app:${DSN_PASSWORD}@127.0.0.1:1/bazaarhub?sslmode=require`,
    `REDIS_URL=redis://default:${REDIS_DSN_PASSWORD}@127.0.0.1:${silent.port}`,
    `ELASTICSEARCH_NODE=http://elastic:${SEED.ELASTICSEARCH_PASSWORD}@127.0.0.1:${silent.port}`,
    'ELASTICSEARCH_USERNAME=elastic',
    // A 401: the API stand-in does not know this key.
    `RAZORPAY_API_URL=${razorpay.apiUrl}`,
    `RAZORPAY_WEBHOOK_URL=${razorpay.webhookUrl}`,
    'RAZORPAY_KEY_ID=rzp_live_SEEDkeyIdHostile',
    'SMTP_HOST=127.0.0.1',
    `SMTP_PORT=${silent.port}`,
    'SMTP_USER=mailer',
    `SHIPROCKET_BASE_URL=http://127.0.0.1:${silent.port}/v1/external`,
    'SHIPROCKET_EMAIL=ops@example.com',
    `AWS_ENDPOINT_URL_S3=http://127.0.0.1:${silent.port}`,
    'AWS_S3_FORCE_PATH_STYLE=true',
    'AWS_REGION=ap-south-1',
    'AWS_ACCESS_KEY_ID=AKIASEEDHOSTILE00001',
    'AWS_S3_BUCKET=bazaarhub-products',
  ].join('\n');
}

describe('no secret on any error path, in any format', () => {
  it('TLS error, 401, refused and silent DSNs: every format, stdout, stderr and --report files', async () => {
    await withTempDir(async (dir) => {
      const env = join(dir, '.env.production');
      await writeFile(env, envFile());
      const formats = formatNames();
      const files = formats.map((format) => [format, join(dir, `report.${format}`)] as const);
      const only = ['http.hsts', 'tls.certificate', 'razorpay.keys', 'razorpay.webhook-signature', 'postgres.version', 'postgres.connectivity', 'redis.version', 'es.connectivity', 'smtp.connect', 'shiprocket.auth', 's3.buckets', 'env.'];
      const result = await runCli(['run', '--env-file', env, '--format', 'json', '--verbose', '--timeout', '2', ...only.flatMap((id) => ['--only', id]), ...files.flatMap(([format, file]) => ['--report', `${format}=${file}`])], { timeoutMs: 30_000 });
      expect([1, 3], result.stderr).toContain(result.code);
      const report = JSON.parse(result.stdout) as { results: Array<{ probe?: string; status: string; observed: string }> };
      const observed = (probe: string) => report.results.filter((r) => r.probe === probe).map((r) => `${r.status}: ${r.observed}`).join(' | ');
      // The error paths were really taken.
      expect(observed('tls.certificate')).toMatch(/self[- ]signed|not trusted|unable to verify/i);
      expect(observed('razorpay.keys')).toMatch(/401/);
      expect(observed('postgres.connectivity')).toMatch(/ECONNREFUSED/);
      expect(observed('redis.version')).toMatch(/^error/);
      const outputs: Array<[string, string]> = [
        ['json stdout', result.stdout],
        ['stderr', result.stderr],
        ...(await Promise.all(files.map(async ([format, file]) => [`${format} report`, await readFile(file, 'utf8')] as [string, string]))),
      ];
      expect(outputs).toHaveLength(formats.length + 2);
      for (const [where, text] of outputs) {
        for (const secret of SEEDS) {
          for (const variant of [secret, encodeURIComponent(secret), secret.slice(4)]) expect(text.includes(variant), `${where} leaks ${secret.slice(0, 8)}…`).toBe(false);
        }
      }
    });
  });
});
