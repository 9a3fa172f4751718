import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import connect, { judgeSmtp } from '../../checks/smtp/connect.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { runProbe } from '../helpers/run-probe.js';

const USER = 'ses-smtp-user';
const PASSWORD = 'smtp-password-0123456789';

let ca: KeyPair;
let leaf: KeyPair;
const servers: SMTPServer[] = [];
const received: string[] = [];

async function start(options: SMTPServerOptions): Promise<number> {
  const server = new SMTPServer({
    logger: false,
    key: leaf.key,
    cert: leaf.cert,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
      else callback(new Error('535 5.7.8 Authentication credentials invalid'));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.server.address() as AddressInfo).port;
}

let starttls: number;
let plaintext: number;
let implicit: number;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  leaf = await issueCertificate(ca);
  starttls = await start({});
  plaintext = await start({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  implicit = await start({ secure: true });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

const env = (port: number, overrides: Record<string, string> = {}) => ({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_USER: USER, SMTP_PASSWORD: PASSWORD, ...overrides });

describe('smtp.connect', () => {
  it('passes over STARTTLS with accepted credentials, sending nothing', async () => {
    const before = received.length;
    const finding = await runProbe(connect, env(starttls), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('TLS: STARTTLS');
    expect(finding.observed).toMatch(/credentials: accepted \(.*PLAIN.*\)/);
    expect(received.length).toBe(before);
    expect(JSON.stringify(finding)).not.toContain(PASSWORD);
  });

  it('passes over implicit TLS', async () => {
    const finding = await runProbe(connect, env(implicit), { tls: 'implicit' }, { ca: [ca.cert] });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('TLS: implicit TLS');
  });

  it('fails when the password is wrong', async () => {
    const finding = await runProbe(connect, env(starttls, { SMTP_PASSWORD: 'wrong-password-000' }), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/^credentials: rejected: .*535/);
  });

  it('fails when STARTTLS is not offered, without sending the credentials in plaintext', async () => {
    const finding = await runProbe(connect, env(plaintext), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('STARTTLS not offered');
    expect(finding.details?.find((detail) => detail.subject === 'credentials')).toBeUndefined();
  });

  it('fails when the certificate does not verify', async () => {
    const finding = await runProbe(connect, env(starttls));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/^TLS: TLS failed: .*(certificate|self.signed|issuer)/i);
  });

  it('fails when nothing listens, skips without SMTP_HOST, warns without credentials', async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const finding = await runProbe(connect, env(port), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/^server: no SMTP session: .*ECONNREFUSED/);
    expect((await runProbe(connect, {})).status).toBe('skipped');
    const anonymous = await runProbe(connect, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(starttls) }, {}, { ca: [ca.cert] });
    expect(anonymous.status).toBe('warn');
  });

  it('sends one test message only when a test recipient is configured', async () => {
    const before = received.length;
    const finding = await runProbe(connect, env(starttls, { SMTP_FROM_EMAIL: 'noreply@bazaarhub.example' }), { testRecipient: 'ops@bazaarhub.example' }, { ca: [ca.cert] });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('test message: accepted');
    expect(received.length).toBe(before + 1);
    expect(received.at(-1)).toContain('Subject: bazaarhub-check SMTP test');
  });

  it('judges a session that offered no AUTH', () => {
    const details = judgeSmtp({ tls: 'starttls', auth: 'not-offered', authMechanisms: [] }, { hasCredentials: true, testRecipient: false });
    expect(details.map((detail) => detail.status)).toEqual(['pass', 'pass', 'fail']);
  });
});
