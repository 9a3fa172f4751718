import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { StandIn } from '../demo/standin.js';
import type { KeyPair } from './certs.js';
import { sameSecret } from './http.js';

/**
 * An SMTP server on 127.0.0.1 (the `smtp-server` package, loaded lazily): STARTTLS (or implicit
 * TLS, or plaintext only) with the given certificate, AUTH PLAIN/LOGIN for one user, and every
 * message it accepts kept in `received`.
 */
export interface SmtpStandInOptions {
  certificate: KeyPair;
  tls?: 'starttls' | 'implicit' | 'none';
  user?: string;
  password?: string;
}

export interface RunningSmtp {
  host: string;
  port: number;
  user: string;
  password: string;
  received: string[];
  /** MAIL FROM and RCPT TO commands the server was sent (a mail on its way, delivered or not). */
  envelope: string[];
  close(): Promise<void>;
}

export async function startSmtpStandIn(options: SmtpStandInOptions): Promise<RunningSmtp> {
  const { SMTPServer } = await import('smtp-server');
  const user = options.user ?? 'mailer';
  const password = options.password ?? randomBytes(18).toString('base64url');
  const received: string[] = [];
  const envelope: string[] = [];
  const mode = options.tls ?? 'starttls';
  const server = new SMTPServer({
    logger: false,
    key: options.certificate.key,
    cert: options.certificate.cert,
    secure: mode === 'implicit',
    ...(mode === 'none' ? { disabledCommands: ['STARTTLS'], allowInsecureAuth: true } : {}),
    onAuth(auth, _session, callback) {
      if (sameSecret(auth.username ?? '', user) && sameSecret(auth.password ?? '', password)) callback(null, { user });
      else callback(new Error('535 5.7.8 Authentication credentials invalid'));
    },
    onMailFrom(address, _session, callback) {
      envelope.push(`MAIL FROM:<${address.address}>`);
      callback();
    },
    onRcptTo(address, _session, callback) {
      envelope.push(`RCPT TO:<${address.address}>`);
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { host: '127.0.0.1', port, user, password, received, envelope, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The demo's mail provider: STARTTLS with a demo-CA certificate and one SMTP user. */
export const smtpStandIn: StandIn = {
  name: 'smtp',
  async start(context) {
    const smtp = await startSmtpStandIn({ certificate: await context.issueCertificate() });
    return {
      name: 'smtp',
      env: { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port), SMTP_USER: smtp.user, SMTP_PASSWORD: smtp.password, SMTP_FROM_EMAIL: 'noreply@bazaarhub.example' },
      note: `SMTP (STARTTLS) at ${smtp.host}:${smtp.port}`,
      activity: () => ({ envelope: [...smtp.envelope], mailsSent: smtp.received.length }),
      close: smtp.close,
    };
  },
};
