/**
 * PostgreSQL over TLS with a private CA, through the real binary, against a real PostgreSQL whose
 * certificate (issued for `localhost` only) comes from a CA this test generates: libpq's sslmode,
 * sslrootcert (file and `system`), sslcert/sslkey, PGSSL* variables, DB_SSL, --ca and
 * NODE_EXTRA_CA_CERTS, and what the other postgres probes say when the TLS connection is refused.
 */
import { createPrivateKey } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { runCli } from '../helpers/cli.js';
import { PASSWORDS, startPgFixture, type PgFixture } from '../helpers/pg-server.js';

let fx: PgFixture;
let dir: string;
let home: string;
const files = { ca: '', wrongCa: '', clientCert: '', clientKey: '', openKey: '', lockedKey: '' };
const KEY_PASSPHRASE = 'Client-Key-Passphrase-42';

beforeAll(async () => {
  fx = await startPgFixture({ replica: true, hosts: ['localhost'], clientCerts: true });
  dir = mkdtempSync(join(tmpdir(), 'bazaarhub-pgtls-'));
  home = join(dir, 'home');
  mkdirSync(home);
  const wrong = await createCertificateAuthority('Some Other CA');
  const client = await issueCertificate(fx.authority, { commonName: 'certuser', hosts: [], clientAuth: true });
  files.ca = join(dir, 'ca.pem');
  files.wrongCa = join(dir, 'wrong-ca.pem');
  files.clientCert = join(dir, 'client.crt');
  files.clientKey = join(dir, 'client.key');
  files.openKey = join(dir, 'open.key');
  writeFileSync(files.ca, fx.ca);
  writeFileSync(files.wrongCa, wrong.cert);
  writeFileSync(files.clientCert, client.cert);
  writeFileSync(files.clientKey, client.key, { mode: 0o600 });
  writeFileSync(files.openKey, client.key);
  files.lockedKey = join(dir, 'locked.key');
  writeFileSync(files.lockedKey, createPrivateKey(client.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: KEY_PASSPHRASE }), { mode: 0o600 });
  chmodSync(files.openKey, 0o644);
}, 120_000);

afterAll(async () => {
  await fx?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Result {
  probe: string;
  status: string;
  observed: string;
}

let runs = 0;
/** One real run of `--only` probes with an env file; results keyed by probe id. */
async function run(env: Record<string, string>, options: { args?: string[]; processEnv?: Record<string, string>; only?: string[] } = {}): Promise<Map<string, Result>> {
  const envFile = join(dir, `run-${++runs}.env`);
  writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const only = (options.only ?? ['postgres.']).flatMap((id) => ['--only', id]);
  const { stdout, stderr } = await runCli(['run', '--env-file', envFile, ...only, '--format', 'json', '--quiet', ...(options.args ?? [])], { env: { HOME: home, ...options.processEnv } });
  let report: { results: Result[] };
  try {
    report = JSON.parse(stdout);
  } catch {
    throw new Error(`no JSON report: ${stderr}`);
  }
  for (const secret of [...Object.values(PASSWORDS), KEY_PASSPHRASE]) expect(stdout).not.toContain(secret);
  return new Map(report.results.map((r) => [r.probe, r]));
}

const dsn = (host: string, query: string, user = 'app') => `postgres://${user}:${encodeURIComponent(user === 'postgres' ? PASSWORDS.super : PASSWORDS.app)}@${host}:${fx.primary.port}/shop_good?${query}`;

/** Every postgres probe passed (migrations stays skipped until its folder param is set). */
function expectAllPass(results: Map<string, Result>): void {
  expect(results.size).toBeGreaterThanOrEqual(10);
  for (const [probe, result] of results) {
    if (probe === 'postgres.migrations') expect(result.status).toBe('skipped');
    else expect(result.status, `${probe}: ${result.observed}`).toBe('pass');
  }
}

/** postgres.ssl failed, and every other probe says it could not look (never an error, never a pass). */
function expectTlsRefused(results: Map<string, Result>, reason: RegExp): void {
  const ssl = results.get('postgres.ssl');
  expect(ssl?.status, ssl?.observed).toBe('fail');
  expect(ssl?.observed).toMatch(reason);
  for (const [probe, result] of results) {
    if (probe === 'postgres.ssl') continue;
    expect(result.status, `${probe}: ${result.observed}`).toBe('skipped');
    if (probe !== 'postgres.migrations') expect(result.observed).toMatch(/SSL connection .* was refused .*see postgres\.ssl/);
  }
}

describe('verify-full with the right CA passes every postgres probe', () => {
  it('with sslrootcert in the DSN', async () => {
    const results = await run({ DATABASE_URL: dsn('localhost', `sslmode=verify-full&sslrootcert=${files.ca}`) });
    expectAllPass(results);
    expect(results.get('postgres.ssl')?.observed).toMatch(/server certificate checked: the chain and the host name/);
  });

  it('with PGSSLROOTCERT (env file) and PGSSLMODE (process env)', async () => {
    const results = await run({ DATABASE_URL: dsn('localhost', ''), PGSSLROOTCERT: files.ca }, { processEnv: { PGSSLMODE: 'verify-full' } });
    expectAllPass(results);
    expect(results.get('postgres.ssl')?.observed).toMatch(/PGSSLMODE=verify-full \(requires SSL\)/);
  });

  it('with --ca', async () => {
    expectAllPass(await run({ DATABASE_URL: dsn('localhost', 'sslmode=verify-full') }, { args: ['--ca', files.ca] }));
  });

  it('with NODE_EXTRA_CA_CERTS and sslrootcert=system (which defaults sslmode to verify-full)', async () => {
    const results = await run({ DATABASE_URL: dsn('localhost', 'sslrootcert=system') }, { processEnv: { NODE_EXTRA_CA_CERTS: files.ca } });
    expectAllPass(results);
    expect(results.get('postgres.ssl')?.observed).toMatch(/sslmode defaults to verify-full with sslrootcert=system/);
  });

  it('with DB_SSL=true and separate DB_* parts (require: encrypted, chain not verified without a root certificate)', async () => {
    const results = await run({ DB_HOST: 'localhost', DB_PORT: String(fx.primary.port), DB_NAME: 'shop_good', DB_USER: 'app', DB_PASSWORD: PASSWORDS.app, DB_SSL: 'true' });
    expectAllPass(results);
    expect(results.get('postgres.ssl')?.observed).toMatch(/DB_SSL=true \(requires SSL\)/);
    expect(results.get('postgres.ssl')?.observed).toMatch(/checked: nothing \(sslmode=require without a root certificate/);
  });
});

describe('a certificate that does not verify is a fail of postgres.ssl, with the reason', () => {
  it('the wrong CA in sslrootcert', async () => {
    const results = await run({ DATABASE_URL: dsn('localhost', `sslmode=verify-full&sslrootcert=${files.wrongCa}`) });
    expectTlsRefused(results, new RegExp(`certificate is signed by an unknown CA \\(.*\\) with sslmode=verify-full and sslrootcert=${files.wrongCa} in DATABASE_URL`));
  });

  it('no CA at all: verify-full against the tool\'s trust store (system roots) fails', async () => {
    expectTlsRefused(await run({ DATABASE_URL: dsn('localhost', 'sslmode=verify-full') }), /certificate is signed by an unknown CA/);
  });

  it('sslrootcert=system without the private CA in the store', async () => {
    expectTlsRefused(await run({ DATABASE_URL: dsn('localhost', 'sslrootcert=system') }), /unknown CA .*the system trust store/);
  });

  it('require with a root certificate behaves like verify-ca (libpq), so the wrong CA fails', async () => {
    expectTlsRefused(await run({ DATABASE_URL: dsn('localhost', `sslmode=require&sslrootcert=${files.wrongCa}`) }), /unknown CA .* with sslmode=require and sslrootcert=.*wrong-ca\.pem in DATABASE_URL/);
  });

  it('so does ~/.postgresql/root.crt, libpq\'s default root certificate', async () => {
    mkdirSync(join(home, '.postgresql'), { recursive: true });
    writeFileSync(join(home, '.postgresql', 'root.crt'), (await createCertificateAuthority('Stale CA')).cert);
    try {
      expectTlsRefused(await run({ DATABASE_URL: dsn('localhost', 'sslmode=require') }), /unknown CA .*libpq's default root certificate/);
    } finally {
      rmSync(join(home, '.postgresql'), { recursive: true, force: true });
    }
  });

  it('a weak sslmode with sslrootcert=system is refused, as libpq refuses it', async () => {
    expectTlsRefused(await run({ DATABASE_URL: dsn('localhost', 'sslmode=require&sslrootcert=system') }, { processEnv: { NODE_EXTRA_CA_CERTS: files.ca } }), /weak sslmode "require" may not be used with sslrootcert=system/);
  });
});

describe('an sslrootcert that is not on this machine', () => {
  const missing = () => dsn('localhost', 'sslmode=verify-full&sslrootcert=/etc/ssl/rds-ca.pem');

  it('is an error of postgres.ssl (not a fault of the server) that asks for --ca', async () => {
    const results = await run({ DATABASE_URL: missing() });
    expect(results.get('postgres.ssl')?.status).toBe('error');
    expect(results.get('postgres.ssl')?.observed).toMatch(/root certificate file "\/etc\/ssl\/rds-ca\.pem" .* does not exist on this machine.*--ca/);
    expect(results.get('postgres.version')?.status).toBe('skipped');
  });

  it('is replaced by --ca', async () => {
    expectAllPass(await run({ DATABASE_URL: missing() }, { args: ['--ca', files.ca] }));
  });

  it('with only a CA that does not sign the server, is still our gap: error, not fail', async () => {
    const results = await run({ DATABASE_URL: missing() }, { args: ['--ca', files.wrongCa] });
    expect(results.get('postgres.ssl')?.status).toBe('error');
    expect(results.get('postgres.ssl')?.observed).toMatch(/unknown CA .*sslrootcert \/etc\/ssl\/rds-ca\.pem is not on this machine/);
  });
});

describe('host names: verify-full checks them, verify-ca does not', () => {
  it('verify-full via 127.0.0.1 to a certificate for localhost fails naming the mismatch', async () => {
    expectTlsRefused(await run({ DATABASE_URL: dsn('127.0.0.1', `sslmode=verify-full&sslrootcert=${files.ca}`) }), /host name 127\.0\.0\.1 does not match the certificate's names \(DNS:localhost\)/);
  });

  it('verify-ca via 127.0.0.1 passes: the chain verifies, the name is not compared', async () => {
    const results = await run({ DATABASE_URL: dsn('127.0.0.1', `sslmode=verify-ca&sslrootcert=${files.ca}`) });
    expectAllPass(results);
    expect(results.get('postgres.ssl')?.observed).toMatch(/checked: the chain, not the host name/);
  });
});

describe('sslmode without verification, and without SSL', () => {
  it('require without a CA connects without verifying', async () => {
    const results = await run({ DATABASE_URL: dsn('127.0.0.1', 'sslmode=require') });
    expectAllPass(results);
    expect(results.get('postgres.ssl')?.observed).toMatch(/checked: nothing/);
  });

  it('disable against a server that requires SSL fails postgres.ssl; the others could not look', async () => {
    expectTlsRefused(await run({ DATABASE_URL: dsn('127.0.0.1', 'sslmode=disable') }), /configuration: sslmode=disable in DATABASE_URL \(sslmode disable\); the server refuses connections without SSL/);
  });

  it('allow: the plain attempt is refused, the SSL retry connects', async () => {
    const results = await run({ DATABASE_URL: dsn('127.0.0.1', 'sslmode=allow') }, { only: ['postgres.ssl', 'postgres.connectivity'] });
    expect(results.get('postgres.connectivity')?.status).toBe('pass');
    const ssl = results.get('postgres.ssl');
    expect(ssl?.status).toBe('fail');
    expect(ssl?.observed).toMatch(/configuration: sslmode=allow in DATABASE_URL \(sslmode allow does not require SSL\)/);
  });

  it('prefer with a CA that does not verify falls back to plain, as libpq does, and says why', async () => {
    const results = await run({ DATABASE_URL: dsn('localhost', `sslmode=prefer&sslrootcert=${files.wrongCa}`, 'postgres') }, { only: ['postgres.ssl', 'postgres.connectivity'] });
    expect(results.get('postgres.connectivity')?.observed).toMatch(/\(no SSL\)/);
    const ssl = results.get('postgres.ssl');
    expect(ssl?.status).toBe('fail');
    expect(ssl?.observed).toMatch(/not encrypted \(the SSL attempt failed \(certificate is signed by an unknown CA .*\) and sslmode=prefer fell back to a plain connection\)/);
  });
});

describe('client certificates (sslcert/sslkey)', () => {
  const certDsn = (query: string) => `postgres://certuser@localhost:${fx.primary.port}/shop_good?sslmode=verify-full&sslrootcert=${files.ca}${query}`;

  it('are accepted by a pg_hba cert rule', async () => {
    const results = await run({ DATABASE_URL: certDsn(`&sslcert=${files.clientCert}&sslkey=${files.clientKey}`) }, { only: ['postgres.connectivity'] });
    expect(results.get('postgres.connectivity')?.status, results.get('postgres.connectivity')?.observed).toBe('pass');
  });

  it('come from PGSSLCERT/PGSSLKEY too', async () => {
    const results = await run({ DATABASE_URL: certDsn(''), PGSSLCERT: files.clientCert, PGSSLKEY: files.clientKey }, { only: ['postgres.connectivity'] });
    expect(results.get('postgres.connectivity')?.status, results.get('postgres.connectivity')?.observed).toBe('pass');
  });

  it('without one, the cert rule refuses the login', async () => {
    const results = await run({ DATABASE_URL: certDsn('') }, { only: ['postgres.connectivity'] });
    expect(results.get('postgres.connectivity')?.status).toBe('fail');
    expect(results.get('postgres.connectivity')?.observed).toMatch(/certificate/);
  });

  it('an encrypted key opens with sslpassword, and a wrong one is this machine\'s error', async () => {
    const good = await run({ DATABASE_URL: certDsn(`&sslcert=${files.clientCert}&sslkey=${files.lockedKey}&sslpassword=${KEY_PASSPHRASE}`) }, { only: ['postgres.connectivity'] });
    expect(good.get('postgres.connectivity')?.status, good.get('postgres.connectivity')?.observed).toBe('pass');
    const wrong = await run({ DATABASE_URL: certDsn(`&sslcert=${files.clientCert}&sslkey=${files.lockedKey}&sslpassword=not-it`) }, { only: ['postgres.ssl', 'postgres.connectivity'] });
    expect(wrong.get('postgres.ssl')?.status).toBe('error');
    expect(wrong.get('postgres.ssl')?.observed).toMatch(/the client key could not be used .*check sslkey and sslpassword/);
    expect(wrong.get('postgres.connectivity')?.status).toBe('skipped');
  });

  it('a key readable by others is refused with libpq\'s rule, as an error of this machine', async () => {
    const results = await run({ DATABASE_URL: certDsn(`&sslcert=${files.clientCert}&sslkey=${files.openKey}`) }, { only: ['postgres.ssl', 'postgres.connectivity'] });
    expect(results.get('postgres.ssl')?.status).toBe('error');
    expect(results.get('postgres.ssl')?.observed).toMatch(/has group or world access/);
    expect(results.get('postgres.connectivity')?.status).toBe('skipped');
  });
});

describe('declared DB_SSL against the live application\'s connections', () => {
  it('says both, and the live connections decide', async () => {
    const { default: pg } = await import('pg');
    // The "application": a plain TCP session of the same role, as BazaarHub (which ignores DB_SSL) makes.
    const app: Client = new pg.Client({ host: '127.0.0.1', port: fx.primary.port, user: 'postgres', password: PASSWORDS.super, database: 'shop_good', ssl: false, application_name: 'bazaarhub-api' });
    await app.connect();
    try {
      const results = await run(
        { DB_HOST: 'localhost', DB_PORT: String(fx.primary.port), DB_NAME: 'shop_good', DB_USER: 'postgres', DB_PASSWORD: PASSWORDS.super, DB_SSL: 'true', PGSSLROOTCERT: files.ca },
        { only: ['postgres.ssl'] },
      );
      const ssl = results.get('postgres.ssl');
      expect(ssl?.status).toBe('fail');
      expect(ssl?.observed).toMatch(/configuration: declared DB_SSL=true \(requires SSL\), but live 1 of 1 application connection\(s\) of role postgres are not encrypted \(1 from 127\.0\.0\.1 as "bazaarhub-api" not encrypted\)/);
    } finally {
      await app.end();
    }
  });
});

describe('declared DB_POOL_MAX against the live database', () => {
  const env = (poolMax: string) => ({ DATABASE_URL: dsn('localhost', `sslmode=verify-full&sslrootcert=${files.ca}`), DB_POOL_MAX: poolMax });
  const only = ['env.db-pool', 'postgres.max-connections'];

  it('passes a pool the live server holds, and fails one its max_connections cannot, saying both', async () => {
    const fits = await run(env('30'), { only });
    expect(fits.get('env.db-pool')?.status, fits.get('env.db-pool')?.observed).toBe('pass');
    expect(fits.get('env.db-pool')?.observed).toMatch(/^DB_POOL_MAX is 30; live: no other session of role app seen, within the pool; max_connections = 50 holds it/);
    const tooBig = await run(env('48'), { only });
    expect(tooBig.get('env.db-pool')?.status).toBe('fail');
    expect(tooBig.get('env.db-pool')?.observed).toMatch(/^declared DB_POOL_MAX is 48, but the live server's max_connections = 50 leaves 47 for applications, fewer than one pool of 48/);
  });

  it('when one client already holds more sessions than DB_POOL_MAX, the live count decides', async () => {
    const { default: pg } = await import('pg');
    const clients: Client[] = [];
    try {
      for (let i = 0; i < 24; i++) {
        const client: Client = new pg.Client({ host: '127.0.0.1', port: fx.primary.port, user: 'app', password: PASSWORDS.app, database: 'shop_good', ssl: { rejectUnauthorized: false }, application_name: 'bazaarhub-api' });
        await client.connect();
        clients.push(client);
      }
      const results = await run(env('20'), { only });
      const pool = results.get('env.db-pool');
      expect(pool?.status).toBe('warn');
      expect(pool?.observed).toMatch(/^declared DB_POOL_MAX is 20, but live: 24 session\(s\) of role app from 127\.0\.0\.1, more than DB_POOL_MAX 20: the application does not apply DB_POOL_MAX/);
      // 20 x 2 instances would fit in 47; the 24 really held do not.
      const max = results.get('postgres.max-connections');
      expect(max?.status).toBe('fail');
      expect(max?.observed).toMatch(/^max_connections = 50 \(3 reserved, 47 for applications, \d+ in use now\); live: 24 sessions of role app from 127\.0\.0\.1, more than DB_POOL_MAX = 20$/);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });
});
