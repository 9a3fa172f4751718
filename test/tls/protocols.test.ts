import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import protocolsProbe, { judgeProtocols, type ProtocolFacts } from '../../checks/tls/protocols.js';
import { LEGACY_CIPHERS, handshake, type TlsResult } from '../../src/facts/tls.js';
import { MODERN_CIPHERS } from '../../src/standins/web.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { Servers, runProbe } from '../helpers/servers.js';

const servers = new Servers();
let ca: KeyPair;
let modern: string;
let legacyOnly: string;
let permissive: string;
let staticRsa: string;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  const leaf = await issueCertificate(ca);
  modern = await servers.https(leaf, { ciphers: MODERN_CIPHERS });
  // This OpenSSL (3.0) still negotiates TLS 1.0/1.1 when both ends drop to SECLEVEL=0.
  legacyOnly = await servers.https(leaf, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: LEGACY_CIPHERS });
  permissive = await servers.https(leaf, { minVersion: 'TLSv1', ciphers: LEGACY_CIPHERS });
  staticRsa = await servers.https(leaf, { minVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES256-SHA' });
});
afterAll(() => servers.closeAll());

const probe = (url: string) => runProbe(protocolsProbe, { APP_URL: url }, {}, { ca: [ca.cert] });

describe('tls.protocols through real handshakes', () => {
  it('passes a TLS 1.2/1.3-only server with modern ciphers', async () => {
    const finding = await probe(modern);
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/negotiated TLSv1.3/);
  });

  it('fails a server that only speaks TLS 1.0 and 1.1', async () => {
    const finding = await probe(legacyOnly);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/no TLS 1.2\/1.3 handshake possible/);
  });

  it('fails a server that still accepts TLS 1.0 and 1.1 beside 1.3', async () => {
    const finding = await probe(permissive);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/accepts TLS 1.0 .*accepts TLS 1.1/);
  });

  it('warns about a static-RSA cipher without forward secrecy', async () => {
    const finding = await probe(staticRsa);
    expect(finding.status).toBe('warn');
    expect(finding.observed).toMatch(/accepts AES\d+-(GCM-)?SHA\d* \(no forward secrecy\)/);
  });

  it("warns about Node's default cipher list, which still offers static RSA", async () => {
    expect((await probe(await servers.https(await issueCertificate(ca)))).status).toBe('warn');
  });

  it('a cipher this OpenSSL cannot offer is "could not test", never "refused"', async () => {
    const result = await handshake('127.0.0.1', Number(new URL(modern).port), { ca: [], insecure: false, timeoutMs: 5000 }, new AbortController().signal, 5000, { ciphers: 'NO-SUCH-CIPHER' });
    expect(result).toMatchObject({ ok: false, refused: false, code: 'ERR_SSL_NO_CIPHER_MATCH' });
  });

  it('errors when nothing listens', async () => {
    const finding = await probe(`https://127.0.0.1:${await servers.closedPort()}/`);
    expect(finding.status).toBe('error');
  });
});

describe('judgeProtocols on recorded handshakes', () => {
  const refused: TlsResult = { ok: false, host: 'h', port: 443, error: 'tlsv1 alert protocol version', code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', refused: true };
  const ok = (protocol: string, cipher: string): TlsResult => ({ ok: true, host: 'h', port: 443, protocol, cipher: { name: cipher, standardName: cipher, version: protocol }, authorized: true, chain: [] });
  const facts = (extra: Partial<ProtocolFacts>): ProtocolFacts => ({ main: ok('TLSv1.3', 'TLS_AES_256_GCM_SHA384'), tls10: refused, tls11: refused, weak: refused, ...extra });

  it('passes when only the modern handshake succeeds', () => {
    expect(judgeProtocols(facts({})).status).toBe('pass');
  });
  it('fails on a broken cipher and on TLS 1.1', () => {
    expect(judgeProtocols(facts({ weak: ok('TLSv1.2', 'DES-CBC3-SHA') })).observed).toMatch(/broken cipher DES-CBC3-SHA/);
    expect(judgeProtocols(facts({ tls11: ok('TLSv1.1', 'ECDHE-RSA-AES128-SHA') })).status).toBe('fail');
  });
  it('reports an untestable legacy handshake as error, not pass', () => {
    const judged = judgeProtocols(facts({ tls10: { ...refused, refused: false, code: 'ETIMEDOUT', error: 'no handshake within 10000 ms' } }));
    expect(judged.status).toBe('error');
  });
  it('warns when TLS 1.2 negotiates without forward secrecy', () => {
    expect(judgeProtocols(facts({ main: ok('TLSv1.2', 'AES256-GCM-SHA384') })).status).toBe('warn');
  });
});
