/**
 * The demo's PostgreSQL: a local cluster (when the machine has the server binaries) holding a small
 * BazaarHub schema, configured with a realistic mix of right and wrong (SSL on but plain connections
 * still accepted, RLS missing on payouts, an unindexed foreign key, no replica). The schema seeding
 * is shared with the tests, which also build the all-correct variant.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import type { RunningStandIn, StandIn } from '../demo/standin.js';
import { pgUnavailableReason, startPostgres } from './postgres-server.js';

export const VENDOR_A = '11111111-1111-4111-8111-111111111111';
export const VENDOR_B = '22222222-2222-4222-8222-222222222222';
export const VENDOR_SETTING = 'app.current_vendor_id';
export const APPLIED_MIGRATIONS = ['20240101000000_init.js', '20240201000000_orders.js', '20240301000000_payouts.js'];

export interface SeedOptions {
  /** Login role the application uses: gets DML grants only. */
  appRole: string;
  /** `good`: every vendor table has forced RLS with a policy and every FK/vendor column an index. `mixed`: payouts has no RLS, orders' RLS is not forced, orders.product_id has no index. */
  variant: 'good' | 'mixed';
}

const POLICY = (column: string) => `USING (${column}::text = current_setting('${VENDOR_SETTING}', true)) WITH CHECK (${column}::text = current_setting('${VENDOR_SETTING}', true))`;

/** Creates the schema (owned by a NOLOGIN `migrator` role), rows for two vendors and the knex migration table, in the connected database. */
export async function seedBazaarhub(admin: Client, options: SeedOptions): Promise<void> {
  const good = options.variant === 'good';
  const app = `"${options.appRole.replace(/"/g, '""')}"`;
  await admin.query(`
    DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'migrator') THEN CREATE ROLE migrator NOLOGIN; END IF; END $$;
    GRANT CREATE ON SCHEMA public TO migrator;
    SET ROLE migrator;
    CREATE TABLE vendors (id uuid PRIMARY KEY, name text NOT NULL);
    CREATE TABLE products (id serial PRIMARY KEY, vendor_id uuid NOT NULL REFERENCES vendors(id), name text NOT NULL, price numeric(12,2) NOT NULL);
    CREATE INDEX products_vendor_idx ON products (vendor_id);
    CREATE TABLE orders (id serial PRIMARY KEY, vendor_id uuid NOT NULL REFERENCES vendors(id), product_id int NOT NULL REFERENCES products(id), total numeric(12,2) NOT NULL);
    CREATE INDEX orders_vendor_idx ON orders (vendor_id, id);
    ${good ? 'CREATE INDEX orders_product_idx ON orders (product_id);' : ''}
    CREATE TABLE payouts (id serial PRIMARY KEY, "vendorId" uuid NOT NULL REFERENCES vendors(id), amount numeric(12,2) NOT NULL);
    CREATE INDEX payouts_vendor_idx ON payouts ("vendorId");
    CREATE TABLE knex_migrations (id serial PRIMARY KEY, name varchar(255), batch int, migration_time timestamptz DEFAULT now());
    INSERT INTO vendors VALUES ('${VENDOR_A}', 'Asha Handlooms'), ('${VENDOR_B}', 'Bharat Spices');
    INSERT INTO products (vendor_id, name, price) VALUES ('${VENDOR_A}', 'Cotton saree', 2499), ('${VENDOR_B}', 'Garam masala', 199);
    INSERT INTO orders (vendor_id, product_id, total) VALUES ('${VENDOR_A}', 1, 2499), ('${VENDOR_B}', 2, 398);
    INSERT INTO payouts ("vendorId", amount) VALUES ('${VENDOR_A}', 2249.10), ('${VENDOR_B}', 358.20);
    INSERT INTO knex_migrations (name, batch) VALUES ${APPLIED_MIGRATIONS.map((name) => `('${name}', 1)`).join(', ')};
    ALTER TABLE products ENABLE ROW LEVEL SECURITY;
    ALTER TABLE products FORCE ROW LEVEL SECURITY;
    CREATE POLICY vendor_isolation ON products ${POLICY('vendor_id')};
    ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    ${good ? 'ALTER TABLE orders FORCE ROW LEVEL SECURITY;' : ''}
    CREATE POLICY vendor_isolation ON orders ${POLICY('vendor_id')};
    ${good ? `ALTER TABLE payouts ENABLE ROW LEVEL SECURITY; ALTER TABLE payouts FORCE ROW LEVEL SECURITY; CREATE POLICY vendor_isolation ON payouts ${POLICY('"vendorId"')};` : ''}
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app};
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${app};
    RESET ROLE;
  `);
}

export const postgresStandIn: StandIn = {
  name: 'postgres',
  async start(context): Promise<RunningStandIn> {
    const reason = pgUnavailableReason();
    if (reason) {
      return {
        name: 'postgres',
        env: {},
        note: `PostgreSQL absent (${reason}): the postgres.* checks were skipped. Install postgresql (apt-get install postgresql) to include them.`,
        close: async () => undefined,
      };
    }
    const superPassword = randomBytes(12).toString('hex');
    const appPassword = randomBytes(12).toString('hex');
    const ssl = await context.issueCertificate({ hosts: ['127.0.0.1', 'localhost'] });
    const server = await startPostgres({
      superPassword,
      ssl,
      // Plain connections are still accepted: postgres.ssl reports it.
      hba: ['hostssl all all 127.0.0.1/32 scram-sha-256', 'host all all 127.0.0.1/32 scram-sha-256'],
      settings: { log_min_duration_statement: 500 },
    });
    try {
      const admin = await server.admin();
      try {
        await admin.query(`CREATE ROLE bazaarhub_app LOGIN PASSWORD '${appPassword}'`);
        await admin.query('CREATE DATABASE bazaarhub');
      } finally {
        await admin.end();
      }
      const db = await server.admin('bazaarhub');
      try {
        await seedBazaarhub(db, { appRole: 'bazaarhub_app', variant: 'mixed' });
      } finally {
        await db.end();
      }
    } catch (error) {
      await server.stop();
      throw error;
    }
    return {
      name: 'postgres',
      env: {
        DATABASE_URL: `postgres://bazaarhub_app:${appPassword}@127.0.0.1:${server.port}/bazaarhub?sslmode=require`,
        DB_SSL: 'true',
      },
      note: `PostgreSQL ${server.port}: local cluster with RLS missing on payouts, an unindexed foreign key and no replica.`,
      close: () => server.stop(),
    };
  },
};
