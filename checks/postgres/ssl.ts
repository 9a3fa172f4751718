import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { pgPlainAttempt, pgSnapshot, sslRequired, withPostgres, type PgAppSessions, type PlainAttempt, type SslMode } from '../../src/facts/postgres.js';

export interface SslFacts {
  serverSsl: boolean;
  connectionEncrypted: boolean;
  sslMode: SslMode;
  sslSource: string;
  plain: PlainAttempt;
  /** What the TLS client verified (libpq's meaning of sslmode/sslrootcert). */
  verification?: string;
  /** Why sslmode=prefer gave up SSL. */
  fallback?: string;
  /** The application role and its other live sessions (the deployed application's own connections). */
  user?: string;
  appSessions?: PgAppSessions[];
}

const EXPECTED = 'server ssl = on, connections with the configured settings encrypted (sslmode=verify-full, require or DB_SSL=true), the live application\'s connections encrypted, and a connection without SSL refused';
const REMEDIATION =
  'Turn ssl on in the server, require it for the application (DATABASE_URL ?sslmode=verify-full&sslrootcert=/path/ca.pem, or DB_SSL=true in an application that reads it), and refuse plain connections with hostssl-only pg_hba.conf rules (managed services: rds.force_ssl=1 / "require SSL").';

function describeSessions(sessions: PgAppSessions[]): string {
  return sessions
    .slice(0, 5)
    .map((s) => `${s.count} from ${s.client}${s.application ? ` as "${s.application}"` : ''} ${s.ssl ? 'encrypted' : 'not encrypted'}`)
    .join(', ');
}

/**
 * The declared settings against the live application's own connections: where those are visible
 * (other sessions of the application's role), they decide, and the finding says both.
 */
function configurationDetail(facts: SslFacts): FindingDetail {
  const declared = `${facts.sslSource} (${sslRequired(facts.sslMode) ? 'requires SSL' : `sslmode ${facts.sslMode} does not require SSL`})`;
  const sessions = facts.appSessions ?? [];
  const total = sessions.reduce((sum, s) => sum + s.count, 0);
  if (total === 0) {
    return { subject: 'configuration', status: sslRequired(facts.sslMode) ? 'pass' : 'fail', observed: declared };
  }
  const plain = sessions.filter((s) => !s.ssl).reduce((sum, s) => sum + s.count, 0);
  const role = facts.user ? ` of role ${facts.user}` : '';
  if (plain > 0) {
    return { subject: 'configuration', status: 'fail', observed: `declared ${declared}, but live ${plain} of ${total} application connection(s)${role} are not encrypted (${describeSessions(sessions)})` };
  }
  return { subject: 'configuration', status: 'pass', observed: `declared ${declared}; live all ${total} application connection(s)${role} are encrypted (${describeSessions(sessions)})` };
}

export function judgeSsl(facts: SslFacts): Finding {
  const encrypted = facts.connectionEncrypted
    ? `encrypted${facts.verification ? `; server certificate checked: ${facts.verification}` : ''}`
    : `not encrypted${facts.fallback ? ` (${facts.fallback})` : ''}`;
  const details: FindingDetail[] = [
    { subject: 'server', status: facts.serverSsl ? 'pass' : 'fail', observed: facts.serverSsl ? 'ssl = on' : 'ssl = off' },
    { subject: 'connection with the configured settings', status: facts.connectionEncrypted ? 'pass' : 'fail', observed: encrypted },
    configurationDetail(facts),
    facts.plain.outcome === 'refused'
      ? { subject: 'connection without SSL', status: 'pass', observed: 'refused by the server' }
      : facts.plain.outcome === 'accepted'
        ? { subject: 'connection without SSL', status: 'fail', observed: 'accepted by the server' }
        : { subject: 'connection without SSL', status: 'warn', observed: `inconclusive: ${facts.plain.reason}` },
  ];
  return combine(details, EXPECTED, REMEDIATION);
}

export default defineProbe({
  id: 'postgres.ssl',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'reads of pg_stat_ssl and the ssl setting on the shared client (read-only transaction), plus one deliberate connection attempt without SSL with the application\'s credentials, closed at once without a query (a server that allows it authenticates over the plain connection, which is the finding)', effect: 'none' },
  title: 'Database connections use SSL',
  description:
    'Connects with libpq\'s meaning of the configured sslmode/sslrootcert/sslcert/sslkey (DATABASE_URL, PGSSL*, DB_SSL; --ca and NODE_EXTRA_CA_CERTS trusted too): the server has SSL on, the connection is encrypted and its certificate verifies as sslmode demands, the live application\'s own sessions are encrypted, and a deliberate connection attempt without SSL is refused. A certificate that does not verify is a failure with the reason.',
  params: z.object({}),
  remediation: REMEDIATION,
  suggests: [{ match: /^enable ssl for database connections/i }],
  async run(ctx) {
    return withPostgres(
      ctx,
      {
        expected: EXPECTED,
        onTlsRefused: (refusal, target) => ({ status: refusal.status, observed: `${target.label}: ${refusal.message}`, expected: EXPECTED, remediation: refusal.remediation }),
      },
      async (session) => {
        const snapshot = await pgSnapshot(ctx, session);
        const plain: PlainAttempt = session.plainRefused
          ? { outcome: 'refused', reason: session.plainRefused }
          : session.encrypted
            ? await pgPlainAttempt(ctx, session.target)
            : { outcome: 'accepted' };
        return judgeSsl({
          serverSsl: snapshot.settings.ssl?.setting === 'on',
          connectionEncrypted: snapshot.connectionSsl,
          sslMode: session.target.sslMode,
          sslSource: session.target.sslSource,
          plain,
          ...(session.verification ? { verification: session.verification } : {}),
          ...(session.fallback ? { fallback: session.fallback } : {}),
          user: snapshot.currentUser,
          appSessions: snapshot.appSessions,
        });
      },
    );
  },
});
