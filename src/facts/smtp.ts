import { isIP } from 'node:net';
import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { gatherSignal } from './api.js';
import { secureContextFor } from './tls.js';
import { countWire, endpointOf } from './wire.js';

/** How one SMTP session went: greeting, TLS, the AUTH mechanisms offered, the login, an optional test message. */
export interface SmtpFact {
  /** Where the session stopped, when it did: connect (no greeting), tls, auth, send. */
  failedAt?: 'connect' | 'tls' | 'auth' | 'send';
  /** nodemailer's error code (ECONNECTION, ETIMEDOUT, ETLS, EAUTH, ...) and message. */
  errorCode?: string;
  error?: string;
  /** implicit: TLS from the first byte (port 465); starttls: upgraded; none: plaintext session. */
  tls?: 'implicit' | 'starttls' | 'none';
  authMechanisms?: string[];
  /** accepted/rejected: the login's outcome; not-offered: no AUTH over TLS; not-tried: no credentials, or no TLS to send them over. */
  auth?: 'accepted' | 'rejected' | 'not-offered' | 'not-tried';
  /** The SMTP reply to the test message, when one was sent. */
  sent?: string;
  /** The server's certificate as seen over STARTTLS or implicit TLS. */
  certificate?: SmtpCertificate;
}

export interface SmtpCertificate {
  subject: string;
  issuer: string;
  validTo: string;
  altNames: string[];
  /** The chain verified (always true unless --insecure, since nodemailer refuses otherwise). */
  authorized: boolean;
}

/** The peer certificate of nodemailer's socket once it is TLS (STARTTLS upgrade or implicit). */
function peerCertificate(connection: unknown): SmtpCertificate | undefined {
  const socket = (connection as { _socket?: { getPeerCertificate?: () => import('node:tls').PeerCertificate; authorized?: boolean } })._socket;
  const peer = socket?.getPeerCertificate?.();
  if (!peer || !peer.raw) return undefined;
  const name = (value: unknown) => (Array.isArray(value) ? value.join(', ') : String(value ?? ''));
  return {
    subject: name(peer.subject?.CN),
    issuer: name(peer.issuer?.O ?? peer.issuer?.CN),
    validTo: new Date(peer.valid_to).toISOString(),
    altNames: (peer.subjectaltname ?? '').split(/,\s*/).filter(Boolean).map((entry) => entry.replace(/^(DNS|IP Address):/, '')),
    authorized: Boolean(socket?.authorized),
  };
}

export interface SmtpTarget {
  host: string;
  port: number;
  implicitTls: boolean;
  user?: string;
  password?: string;
  /** When set, one small message is sent to this address after the login. */
  testRecipient?: string;
  from?: string;
}

interface Connection {
  secure: boolean;
  allowsAuth: boolean;
  connect(callback: (error?: Error | null) => void): void;
  login(auth: { user: string; pass: string }, callback: (error?: Error | null) => void): void;
  send(envelope: { from: string; to: string[] }, message: string, callback: (error: Error | null, info?: { response?: string }) => void): void;
  quit(): void;
  close(): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'end', listener: () => void): void;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * One SMTP session with nodemailer's SMTPConnection (what transport.verify() runs), kept open long
 * enough to observe TLS and AUTH: STARTTLS is used whenever offered, and credentials are only sent
 * over TLS. No mail is sent unless a test recipient is configured.
 */
export function smtpSession(ctx: ProbeContext, target: SmtpTarget): Promise<SmtpFact> {
  const key = `smtp ${target.host}:${target.port} ${target.implicitTls} ${target.user ?? ''} ${target.testRecipient ?? ''}`;
  return ctx.facts.once(key, async () => {
    ctx.facts.countContact('smtp', `${target.host}:${target.port}`);
    const { default: SMTPConnection } = (await import('nodemailer/lib/smtp-connection')) as unknown as { default: new (options: object) => Connection };
    const signal = gatherSignal(ctx);
    const secureContext = secureContextFor(ctx.options);
    const connection = new SMTPConnection({
      host: target.host,
      port: target.port,
      secure: target.implicitTls,
      name: 'bazaarhub-check.invalid',
      connectionTimeout: ctx.options.timeoutMs,
      greetingTimeout: ctx.options.timeoutMs,
      socketTimeout: ctx.options.timeoutMs,
      tls: { rejectUnauthorized: !ctx.options.insecure, ...(isIP(target.host) === 0 ? { servername: target.host } : {}), ...(secureContext ? { secureContext } : {}) },
    });
    // nodemailer reports failures as 'error' (or 'end') events, not through the step callbacks.
    let fail: (error: Error) => void = () => undefined;
    const failure = new Promise<never>((_resolve, reject) => {
      fail = reject;
    });
    failure.catch(() => undefined);
    connection.on('error', (error) => fail(error));
    connection.on('end', () => fail(new Error('Connection closed')));
    const aborted = new Promise<never>((_resolve, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    const step = <T>(run: (done: (error?: Error | null, value?: T) => void) => void): Promise<T | undefined> =>
      Promise.race([new Promise<T | undefined>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value)))), failure, aborted]);
    const fact: SmtpFact = {};
    let stage: NonNullable<SmtpFact['failedAt']> = 'connect';
    // One SMTP session is one request. Without implicit TLS nodemailer connects with net.connect
    // (net.client.socket counts it); implicit TLS and STARTTLS go through tls.connect, counted here.
    const where = endpointOf(target.host, target.port);
    countWire('smtp', where, { requests: 1, ...(target.implicitTls ? { connections: 1, handshakes: 1 } : {}) });
    try {
      await step<void>((done) => connection.connect(done));
      fact.tls = target.implicitTls ? 'implicit' : connection.secure ? 'starttls' : 'none';
      if (fact.tls === 'starttls') countWire('smtp', where, { handshakes: 1 });
      const certificate = fact.tls === 'none' ? undefined : peerCertificate(connection);
      if (certificate) fact.certificate = certificate;
      fact.authMechanisms = [...((connection as unknown as { _supportedAuth?: string[] })._supportedAuth ?? [])];
      if (!target.user || !target.password || fact.tls === 'none') {
        fact.auth = 'not-tried';
      } else if (!connection.allowsAuth) {
        fact.auth = 'not-offered';
      } else {
        stage = 'auth';
        await step<void>((done) => connection.login({ user: target.user as string, pass: target.password as string }, done));
        fact.auth = 'accepted';
        if (target.testRecipient) {
          stage = 'send';
          const from = target.from ?? target.user;
          const message = [`From: ${from}`, `To: ${target.testRecipient}`, 'Subject: bazaarhub-check SMTP test', `Date: ${new Date().toUTCString()}`, '', 'Sent by bazaarhub-check smtp.connect to confirm delivery.', ''].join('\r\n');
          const info = await step<{ response?: string }>((done) => connection.send({ from, to: [target.testRecipient as string] }, message, (error, value) => done(error, value)));
          fact.sent = info?.response ?? 'accepted';
        }
      }
      connection.quit();
    } catch (error) {
      connection.close();
      const code = codeOf(error);
      if (code === 'EAUTH' && stage === 'auth') fact.auth = 'rejected';
      fact.failedAt = code === 'ETLS' || (stage === 'connect' && /certificate|TLS|SSL/i.test(errorMessage(error))) ? 'tls' : stage;
      // A STARTTLS handshake that failed was still started.
      if (fact.failedAt === 'tls' && !target.implicitTls) countWire('smtp', where, { handshakes: 1 });
      fact.errorCode = code;
      fact.error = errorMessage(error).split('\n')[0]?.slice(0, 300);
    }
    return fact;
  });
}
