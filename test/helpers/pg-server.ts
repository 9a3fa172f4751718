/**
 * The PostgreSQL fixture the postgres tests share: one cluster per test file with SSL on, roles
 * configured right and wrong, two databases (an all-correct `shop_good` and a `shop_mixed` with
 * RLS and index gaps) and, on request, a streaming replica with SSL off.
 */
import { execFileSync } from 'node:child_process';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { startPostgres, type PgServer } from '../../src/standins/postgres-server.js';
import { seedBazaarhub } from '../../src/standins/postgres.js';

export const PASSWORDS = {
  super: 'Sup3r-Secret-Passw0rd',
  app: 'App-Secret-Passw0rd-7',
  nolog: 'NoLog-Secret-Passw0rd-9',
} as const;

/** initdb refuses root: make sure the `postgres` OS user exists to run the server as. */
export function ensurePostgresUser(): void {
  if (process.getuid?.() !== 0) return;
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
}

export interface PgFixture {
  primary: PgServer;
  replica?: PgServer;
  /** PEM to pass as RunOptions.ca. */
  ca: string;
  /** The CA that signed the server certificate (and, with clientCerts, verifies client certificates). */
  authority: KeyPair;
  dsn(user: 'app' | 'postgres' | 'app_nolog', database: string, options?: { server?: PgServer; sslmode?: string; password?: string }): string;
  stop(): Promise<void>;
}

/**
 * pg_hba: every role may connect over SSL; only the superuser `postgres` may also connect without
 * it (so postgres.ssl has a refusing and an accepting case on one server).
 */
export async function startPgFixture(options: { replica?: boolean; hosts?: string[]; clientCerts?: boolean } = {}): Promise<PgFixture> {
  ensurePostgresUser();
  const authority = await createCertificateAuthority();
  const ssl = await issueCertificate(authority, { hosts: options.hosts ?? ['127.0.0.1', 'localhost'] });
  const primary = await startPostgres({
    superPassword: PASSWORDS.super,
    ssl: { ...ssl, ...(options.clientCerts ? { ca: authority.cert } : {}) },
    // With clientCerts, role `certuser` logs in by client certificate only (CN = role name).
    hba: [...(options.clientCerts ? ['hostssl all certuser 127.0.0.1/32 cert'] : []), 'hostssl all all 127.0.0.1/32 scram-sha-256', 'host all postgres 127.0.0.1/32 scram-sha-256'],
    settings: { log_min_duration_statement: 500 },
  });
  let replica: PgServer | undefined;
  try {
    const admin = await primary.admin();
    try {
      await admin.query(`CREATE ROLE app LOGIN PASSWORD '${PASSWORDS.app}'`);
      await admin.query(`CREATE ROLE app_nolog LOGIN PASSWORD '${PASSWORDS.nolog}'`);
      await admin.query('ALTER ROLE app_nolog SET log_min_duration_statement = -1');
      if (options.clientCerts) await admin.query('CREATE ROLE certuser LOGIN');
      await admin.query('CREATE DATABASE shop_good');
      await admin.query('CREATE DATABASE shop_mixed');
    } finally {
      await admin.end();
    }
    for (const [database, variant] of [['shop_good', 'good'], ['shop_mixed', 'mixed']] as const) {
      const client = await primary.admin(database);
      try {
        await seedBazaarhub(client, { appRole: 'app', variant });
        await client.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO app_nolog');
      } finally {
        await client.end();
      }
    }
    if (options.replica) replica = await primary.startReplica({ ssl: 'off' });
  } catch (error) {
    await replica?.stop();
    await primary.stop();
    throw error;
  }
  const passwords: Record<string, string> = { app: PASSWORDS.app, postgres: PASSWORDS.super, app_nolog: PASSWORDS.nolog };
  return {
    primary,
    ...(replica ? { replica } : {}),
    ca: authority.cert,
    authority,
    dsn(user, database, dsnOptions = {}) {
      const server = dsnOptions.server ?? primary;
      const password = encodeURIComponent(dsnOptions.password ?? passwords[user] ?? '');
      return `postgres://${user}:${password}@127.0.0.1:${server.port}/${database}${dsnOptions.sslmode ? `?sslmode=${dsnOptions.sslmode}` : ''}`;
    },
    async stop() {
      await replica?.stop();
      await primary.stop();
    },
  };
}
