import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { pgPlainAttempt, pgSnapshot, pgTargetOf, sslRequired, withPostgres, type PgTarget, type PlainAttempt, type SslMode } from '../../src/facts/postgres.js';

export interface SslFacts {
  serverSsl: boolean;
  connectionEncrypted: boolean;
  sslMode: SslMode;
  sslSource: string;
  plain: PlainAttempt;
}

const EXPECTED = 'server ssl = on, the application\'s connection encrypted, sslmode=require (or verify-full) / DB_SSL=true, and a connection without SSL refused';
const REMEDIATION =
  'Turn ssl on in the server, require it for the application (DATABASE_URL ?sslmode=verify-full, or DB_SSL=true), and refuse plain connections with hostssl-only pg_hba.conf rules (managed services: rds.force_ssl=1 / "require SSL").';

export function judgeSsl(facts: SslFacts): Finding {
  const details: FindingDetail[] = [
    { subject: 'server', status: facts.serverSsl ? 'pass' : 'fail', observed: facts.serverSsl ? 'ssl = on' : 'ssl = off' },
    { subject: 'application connection', status: facts.connectionEncrypted ? 'pass' : 'fail', observed: facts.connectionEncrypted ? 'encrypted' : 'not encrypted' },
    {
      subject: 'configuration',
      status: sslRequired(facts.sslMode) ? 'pass' : 'fail',
      observed: `${facts.sslSource} (${sslRequired(facts.sslMode) ? 'requires SSL' : `sslmode ${facts.sslMode} does not require SSL`})`,
    },
    facts.plain.outcome === 'refused'
      ? { subject: 'connection without SSL', status: 'pass', observed: 'refused by the server' }
      : facts.plain.outcome === 'accepted'
        ? { subject: 'connection without SSL', status: 'fail', observed: 'accepted by the server' }
        : { subject: 'connection without SSL', status: 'warn', observed: `inconclusive: ${facts.plain.reason}` },
  ];
  return combine(details, EXPECTED, REMEDIATION);
}

/**
 * When the application's own connection fails over SSL, two failures are this probe's to report
 * rather than errors: a server without SSL, and a server that requires SSL the application does not ask for.
 */
export function judgeSslConnectError(target: Pick<PgTarget, 'label' | 'sslMode' | 'sslSource'>, message: string): Finding | undefined {
  if (/does not support SSL/i.test(message)) {
    return { status: 'fail', observed: `server: ssl = off (${target.label} refused the SSL handshake that ${target.sslSource} asks for)`, expected: EXPECTED, remediation: REMEDIATION };
  }
  if (!sslRequired(target.sslMode) && /no encryption/i.test(message)) {
    return {
      status: 'fail',
      observed: `configuration: ${target.sslSource} (sslmode ${target.sslMode}); the server refuses connections without SSL, so the application cannot connect`,
      expected: EXPECTED,
      remediation: 'Add sslmode=require (or verify-full) to DATABASE_URL, or set DB_SSL=true.',
    };
  }
  return undefined;
}

export default defineProbe({
  id: 'postgres.ssl',
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'reads of pg_stat_ssl and the ssl setting on the shared client (read-only transaction), plus one deliberate connection attempt without SSL with the application\'s credentials, closed at once without a query (a server that allows it authenticates over the plain connection, which is the finding)', effect: 'none' },
  title: 'Database connections use SSL',
  description:
    'The server has SSL on, the application\'s connection is encrypted, DATABASE_URL\'s sslmode or DB_SSL requires SSL, and a deliberate connection attempt without SSL is refused.',
  params: z.object({}),
  remediation: REMEDIATION,
  suggests: [{ match: /^enable ssl for database connections/i }],
  async run(ctx) {
    const found = await withPostgres(ctx, { expected: EXPECTED }, async (session) => {
      const snapshot = await pgSnapshot(ctx, session);
      const plain = session.encrypted ? await pgPlainAttempt(ctx, session.target) : ({ outcome: 'accepted' } as const);
      return judgeSsl({
        serverSsl: snapshot.settings.ssl?.setting === 'on',
        connectionEncrypted: snapshot.connectionSsl,
        sslMode: session.target.sslMode,
        sslSource: session.target.sslSource,
        plain,
      });
    });
    const target = pgTargetOf(ctx.target);
    if (found.status !== 'error' || !target || 'error' in target) return found;
    return judgeSslConnectError(target, found.observed) ?? found;
  },
});
