import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import certificateProbe, { judgeCertificate, type CertificatePolicy } from '../../checks/tls/certificate.js';
import type { RunOptions } from '../../src/engine/types.js';
import type { TlsHandshake } from '../../src/facts/tls.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { Servers, runProbe } from '../helpers/servers.js';

const servers = new Servers();
let ca: KeyPair;
let letsEncrypt: KeyPair;
const urls: Record<string, string> = {};

beforeAll(async () => {
  [ca, letsEncrypt] = await Promise.all([createCertificateAuthority(), createCertificateAuthority('R3', "Let's Encrypt")]);
  const leaves = {
    days3: issueCertificate(ca, { notAfterDays: 3 }),
    days20: issueCertificate(ca, { notAfterDays: 20 }),
    days200: issueCertificate(ca, { notAfterDays: 200 }),
    expired: issueCertificate(ca, { notBeforeDays: -100, notAfterDays: -2 }),
    wrongHost: issueCertificate(ca, { hosts: ['shop.wrong.example'] }),
    selfSigned: issueCertificate(undefined, { notAfterDays: 200 }),
    le20: issueCertificate(letsEncrypt, { notAfterDays: 20 }),
    le3: issueCertificate(letsEncrypt, { notAfterDays: 3 }),
  };
  for (const [name, leaf] of Object.entries(leaves)) urls[name] = await servers.https(await leaf);
});
afterAll(() => servers.closeAll());

const trust = () => ({ ca: [ca.cert, letsEncrypt.cert] });
const probe = (url: string | undefined, options: Partial<RunOptions> = trust()) => runProbe(certificateProbe, { APP_URL: url as string }, {}, options);

describe('tls.certificate through real handshakes', () => {
  it('passes a 200-day certificate from a trusted CA and reports issuer and expiry', async () => {
    const finding = await probe(urls.days200);
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/issuer bazaarhub-check, expires \d{4}-\d\d-\d\d \((199|200) days\)/);
  });

  it('warns at 20 days and fails at 3 days', async () => {
    expect((await probe(urls.days20)).status).toBe('warn');
    const short = await probe(urls.days3);
    expect(short.status).toBe('fail');
    expect(short.observed).toMatch(/expires in [23] days/);
  });

  it('fails an expired certificate', async () => {
    const finding = await probe(urls.expired);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/expired on/);
  });

  it('fails a hostname mismatch', async () => {
    const finding = await probe(urls.wrongHost);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/hostname mismatch/);
  });

  it('fails a self-signed certificate, and only warns under --insecure', async () => {
    const finding = await probe(urls.selfSigned);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/self-signed/);
    expect((await probe(urls.selfSigned, { ...trust(), insecure: true })).status).toBe('warn');
  });

  it('fails a chain the trust store does not know (no --ca)', async () => {
    const finding = await runProbe(certificateProbe, { APP_URL: urls.days200 as string });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/chain does not verify \(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
  });

  it("warns at 30 days for Let's Encrypt as for others (certbot renews at 30): 20 days warn, 3 days fail", async () => {
    const twenty = await probe(urls.le20);
    expect(twenty.status).toBe('warn');
    expect(twenty.observed).toMatch(/90-day issuer: thresholds 7\/30 days/);
    expect((await probe(urls.le3)).status).toBe('fail');
  });

  it('checks every service and combines them, worst first', async () => {
    const finding = await runProbe(certificateProbe, { APP_URL: urls.days200 as string, STOREFRONT_URL: urls.expired as string, ADMIN_PANEL_URL: urls.days20 as string }, {}, trust());
    expect(finding.status).toBe('fail');
    expect(finding.details?.map((detail) => [detail.subject, detail.status])).toEqual([
      ['api', 'pass'],
      ['storefront', 'fail'],
      ['admin-panel', 'warn'],
    ]);
  });

  it('fails when nothing answers the handshake, and skips without service URLs', async () => {
    const port = await servers.closedPort();
    const finding = await probe(`https://127.0.0.1:${port}/`);
    expect(finding.status).toBe('error');
    expect(finding.observed).toMatch(/ECONNREFUSED/);
    const plain = await runProbe(certificateProbe, { APP_URL: 'http://127.0.0.1:9/' });
    expect(plain).toMatchObject({ status: 'fail', observed: 'api: http://127.0.0.1:9 is served over plain http, not https' });
    expect(plain.ctx.facts.contacts.size).toBe(0);
    const none = await runProbe(certificateProbe, {});
    expect(none.status).toBe('skipped');
    expect(none.observed).toMatch(/APP_URL/);
  });

  it('shares one handshake per host:port across probes', async () => {
    const finding = await runProbe(certificateProbe, { APP_URL: urls.days200 as string, STOREFRONT_URL: urls.days200 as string }, {}, trust());
    expect(finding.ctx.facts.contacts.get(`tls 127.0.0.1:${new URL(urls.days200 as string).port}`)).toBe(1);
  });
});

describe('judgeCertificate on recorded handshakes', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const policy: CertificatePolicy = { failDays: 7, warnDays: 30, shortLivedIssuers: ["Let's Encrypt"], shortLivedFailDays: 7, shortLivedWarnDays: 30, insecure: false };
  const recorded = (validTo: string, extra: Partial<TlsHandshake> = {}): TlsHandshake => ({
    ok: true,
    host: 'shop.bazaarhub.in',
    port: 443,
    protocol: 'TLSv1.3',
    cipher: { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' },
    authorized: true,
    chain: [
      { subject: 'CN=shop.bazaarhub.in', issuer: "C=US, O=Let's Encrypt, CN=R3", issuerOrganization: "Let's Encrypt", altNames: ['shop.bazaarhub.in'], validFrom: '2025-11-01T00:00:00.000Z', validTo, fingerprint256: 'AA', selfIssued: false },
      { subject: "C=US, O=Let's Encrypt, CN=R3", issuer: 'O=Internet Security Research Group, CN=ISRG Root X1', altNames: [], validFrom: '2020-01-01T00:00:00.000Z', validTo: '2030-01-01T00:00:00.000Z', fingerprint256: 'BB', selfIssued: false },
    ],
    ...extra,
  });

  it("uses 30/7 days for Let's Encrypt too by default (certbot renews at 30 days left), and its own params", () => {
    expect(judgeCertificate(recorded('2026-02-20T00:00:00Z'), now, policy).status).toBe('pass');
    expect(judgeCertificate(recorded('2026-01-20T00:00:00Z'), now, policy).status).toBe('warn');
    expect(judgeCertificate(recorded('2026-01-05T00:00:00Z'), now, policy).status).toBe('fail');
    const halved = { ...policy, shortLivedWarnDays: 15, shortLivedFailDays: 3 };
    expect(judgeCertificate(recorded('2026-01-20T00:00:00Z'), now, halved).status).toBe('pass');
    expect(judgeCertificate(recorded('2026-01-03T00:00:00Z'), now, halved).status).toBe('fail');
  });

  it('uses 30/7 days for other issuers', () => {
    const other = { ...policy, shortLivedIssuers: [] };
    expect(judgeCertificate(recorded('2026-01-20T00:00:00Z'), now, other).status).toBe('warn');
    expect(judgeCertificate(recorded('2026-01-05T00:00:00Z'), now, other).status).toBe('fail');
  });

  it('reports every problem of a bad chain at once', () => {
    const judged = judgeCertificate(recorded('2025-12-01T00:00:00Z', { authorized: false, authorizationError: 'CERT_HAS_EXPIRED', hostnameError: "Host: api.bazaarhub.in. is not in the cert's altnames" }), now, policy);
    expect(judged.status).toBe('fail');
    expect(judged.observed).toMatch(/expired on 2025-12-01, hostname mismatch/);
  });

  it('fails when no certificate was presented', () => {
    expect(judgeCertificate(recorded('2027-01-01T00:00:00Z', { chain: [] }), now, policy).status).toBe('fail');
  });
});
