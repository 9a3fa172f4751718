import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import connect, { judgeSmtp } from '../../checks/smtp/connect.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { startSmtpStandIn, type RunningSmtp } from '../../src/standins/smtp.js';
import { runProbe } from '../helpers/servers.js';

let ca: KeyPair;
let leaf: KeyPair;
let starttls: RunningSmtp;
let plaintext: RunningSmtp;
let implicit: RunningSmtp;
let USER: string;
let PASSWORD: string;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  leaf = await issueCertificate(ca);
  starttls = await startSmtpStandIn({ certificate: leaf });
  USER = starttls.user;
  PASSWORD = starttls.password;
  plaintext = await startSmtpStandIn({ certificate: leaf, tls: 'none', user: USER, password: PASSWORD });
  implicit = await startSmtpStandIn({ certificate: leaf, tls: 'implicit', user: USER, password: PASSWORD });
});
afterAll(async () => {
  await Promise.all([starttls.close(), plaintext.close(), implicit.close()]);
});

const env = ({ port }: RunningSmtp, overrides: Record<string, string> = {}) => ({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_USER: USER, SMTP_PASSWORD: PASSWORD, ...overrides });

describe('smtp.connect', () => {
  it('passes over STARTTLS with accepted credentials, sending nothing', async () => {
    const before = starttls.received.length;
    const finding = await runProbe(connect, env(starttls), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('TLS: STARTTLS');
    expect(finding.observed).toMatch(/credentials: accepted \(.*PLAIN.*\)/);
    expect(starttls.received.length).toBe(before);
    expect(JSON.stringify({ ...finding, ctx: undefined })).not.toContain(PASSWORD);
  });

  it('passes over implicit TLS, with the server given as params', async () => {
    const finding = await runProbe(connect, env(starttls), { tls: 'implicit', host: '127.0.0.1', port: implicit.port }, { ca: [ca.cert] });
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
    const closed = await startSmtpStandIn({ certificate: leaf });
    await closed.close();
    const finding = await runProbe(connect, env(closed), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/^server: no SMTP session: .*ECONNREFUSED/);
    expect((await runProbe(connect, {})).status).toBe('skipped');
    const anonymous = await runProbe(connect, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(starttls.port) }, {}, { ca: [ca.cert] });
    expect(anonymous.status).toBe('warn');
  });

  it('is bounded by the timeout when the server never greets', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (silent.address() as AddressInfo).port;
      const started = Date.now();
      const finding = await runProbe(connect, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port) }, {}, { timeoutMs: 400 });
      expect(finding.status).toBe('fail');
      expect(finding.observed).toMatch(/^server: no SMTP session/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('sends one test message only when a test recipient is configured', async () => {
    const before = starttls.received.length;
    const finding = await runProbe(connect, env(starttls, { SMTP_FROM_EMAIL: 'noreply@bazaarhub.example' }), { testRecipient: 'ops@bazaarhub.example' }, { ca: [ca.cert] });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('test message: accepted');
    expect(starttls.received.length).toBe(before + 1);
    expect(starttls.received.at(-1)).toContain('Subject: bazaarhub-check SMTP test');
  });

  it('judges a session that offered no AUTH', () => {
    const details = judgeSmtp({ tls: 'starttls', auth: 'not-offered', authMechanisms: [] }, { hasCredentials: true, testRecipient: false });
    expect(details.map((detail) => detail.status)).toEqual(['pass', 'pass', 'fail']);
  });
});
