import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { smtpSession, type SmtpFact } from '../../src/facts/smtp.js';

const DAY = 86_400_000;

/** The certificate half of the TLS detail: who issued it, how long it has left (fail under failDays, warn under warnDays). */
export function judgeSmtpCertificate(fact: SmtpFact, now: Date, days: { warnDays: number; failDays: number }): FindingDetail | undefined {
  const cert = fact.certificate;
  if (!cert) return undefined;
  const left = Math.floor((Date.parse(cert.validTo) - now.getTime()) / DAY);
  const summary = `${cert.subject || 'no CN'} from ${cert.issuer || 'unknown issuer'}, expires ${cert.validTo.slice(0, 10)} (${left} days)`;
  if (!cert.authorized) return { subject: 'certificate', status: 'warn', observed: `not verified (--insecure): ${summary}` };
  if (left < days.failDays) return { subject: 'certificate', status: 'fail', observed: `${left < 0 ? 'expired' : `expires in ${left} days`}: ${summary}` };
  if (left < days.warnDays) return { subject: 'certificate', status: 'warn', observed: `expires in ${left} days: ${summary}` };
  return { subject: 'certificate', status: 'pass', observed: `valid: ${summary}` };
}

/** The findings of one SMTP session: answer, TLS, credentials, and the test message when one was asked for. */
export function judgeSmtp(fact: SmtpFact, options: { hasCredentials: boolean; testRecipient: boolean; now?: Date; warnDays?: number; failDays?: number }): FindingDetail[] {
  const failure = `${fact.error ?? 'failed'}${fact.errorCode && !(fact.error ?? '').includes(fact.errorCode) ? ` (${fact.errorCode})` : ''}`;
  if (fact.failedAt === 'connect') return [{ subject: 'server', status: 'fail', observed: `no SMTP session: ${failure}` }];
  if (fact.failedAt === 'tls') return [{ subject: 'server', status: 'pass', observed: 'answered' }, { subject: 'TLS', status: 'fail', observed: `TLS failed: ${failure}` }];
  const details: FindingDetail[] = [{ subject: 'server', status: 'pass', observed: 'answered' }];
  if (fact.tls === 'none') details.push({ subject: 'TLS', status: 'fail', observed: 'STARTTLS not offered; credentials were not sent over plaintext' });
  else details.push({ subject: 'TLS', status: 'pass', observed: fact.tls === 'implicit' ? 'implicit TLS' : 'STARTTLS' });
  const certificate = judgeSmtpCertificate(fact, options.now ?? new Date(), { warnDays: options.warnDays ?? 30, failDays: options.failDays ?? 7 });
  if (certificate) details.push(certificate);
  if (!options.hasCredentials) details.push({ subject: 'credentials', status: 'warn', observed: 'SMTP_USER/SMTP_PASSWORD not set: login not tested' });
  else if (fact.auth === 'accepted') details.push({ subject: 'credentials', status: 'pass', observed: `accepted${fact.authMechanisms?.length ? ` (${fact.authMechanisms.join(', ')} offered)` : ''}` });
  else if (fact.auth === 'rejected') details.push({ subject: 'credentials', status: 'fail', observed: `rejected: ${failure}` });
  else if (fact.auth === 'not-offered') details.push({ subject: 'credentials', status: 'fail', observed: 'the server offers no AUTH mechanism' });
  if (options.testRecipient) {
    if (fact.sent !== undefined) details.push({ subject: 'test message', status: 'pass', observed: `accepted: ${fact.sent}` });
    else if (fact.failedAt === 'send') details.push({ subject: 'test message', status: 'fail', observed: `refused: ${failure}` });
  }
  return details;
}

export default defineProbe({
  id: 'smtp.connect',
  sdks: ['nodemailer/lib/smtp-connection'],
  sends: { to: 'the SMTP server (SMTP_HOST:SMTP_PORT)', what: 'one session: EHLO, STARTTLS (or implicit TLS), AUTH with SMTP_USER/PASSWORD only once TLS is up, QUIT; MAIL/RCPT/DATA only when testRecipient is set', effect: 'none; with testRecipient set, one test mail is sent to that address' },
  title: 'SMTP server answers over TLS and accepts the credentials',
  description:
    'Opens one SMTP session with SMTP_HOST:SMTP_PORT (nodemailer): the server greets, offers STARTTLS (or implicit TLS on port 465) with a certificate that verifies and has at least certWarnDays left (fail under certFailDays), and accepts SMTP_USER/SMTP_PASSWORD over TLS. No mail is sent unless testRecipient is set.',
  params: z.object({
    /** Server override; default SMTP_HOST and SMTP_PORT (587). */
    host: z.string().default(''),
    port: z.number().int().min(0).max(65_535).default(0),
    /** auto: implicit TLS on port 465, STARTTLS otherwise. */
    tls: z.enum(['auto', 'starttls', 'implicit']).default('auto'),
    /** Send one short test message to this address after the login (default: none, nothing is sent). */
    testRecipient: z.string().default(''),
    certWarnDays: z.number().nonnegative().default(30),
    certFailDays: z.number().nonnegative().default(7),
  }),
  remediation:
    'Set SMTP_HOST, SMTP_PORT (587 with STARTTLS, or 465 with implicit TLS), SMTP_USER and SMTP_PASSWORD to the provider\'s SMTP credentials (e.g. an SES SMTP user or a SendGrid API key user), and make sure the server offers TLS with a valid certificate.',
  suggests: [{ match: /email service|smtp provider/i, severity: 'high' }],
  async run(ctx, params): Promise<Finding> {
    const expected = 'the SMTP server answers, uses TLS (STARTTLS or implicit) and accepts the credentials';
    const host = params.host || ctx.target.get('SMTP_HOST');
    if (!host) return { status: 'skipped', observed: 'SMTP_HOST is not set (or the catalog param host)', expected };
    const port = params.port || Number(ctx.target.get('SMTP_PORT') ?? '587');
    if (!Number.isInteger(port) || port <= 0 || port > 65_535) return { status: 'fail', observed: 'SMTP_PORT is not a port number', expected };
    const user = ctx.target.get('SMTP_USER');
    const password = ctx.target.get('SMTP_PASSWORD');
    const implicitTls = params.tls === 'implicit' || (params.tls === 'auto' && port === 465);
    const fact = await smtpSession(ctx, {
      host,
      port,
      implicitTls,
      ...(user ? { user } : {}),
      ...(password ? { password } : {}),
      ...(params.testRecipient ? { testRecipient: params.testRecipient, from: ctx.target.get('SMTP_FROM_EMAIL') ?? user } : {}),
    });
    const details = judgeSmtp(fact, { hasCredentials: Boolean(user && password), testRecipient: Boolean(params.testRecipient), warnDays: params.certWarnDays, failDays: params.certFailDays });
    return combine(details, `${host}:${port}: ${expected}`);
  },
});
