import { X509Certificate, getDiffieHellman } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeCaa } from '../../checks/tls/caa.js';
import { judgeChain } from '../../checks/tls/chain.js';
import { chainsToPublicRoot, judgeCt } from '../../checks/tls/ct.js';
import { pemToDer } from '../../src/facts/anchors.js';
import tlsModule from 'node:tls';
import ciphersProbe, { judgeCiphers } from '../../checks/tls/ciphers.js';
import { sentCertificates } from '../../checks/tls/detail.js';
import { judgeKeys } from '../../checks/tls/key.js';
import { judgeSignatures } from '../../checks/tls/signature.js';
import { judgeProtocols } from '../../checks/tls/protocols.js';
import { judgeSans, sanCovers } from '../../checks/tls/san.js';
import staplingProbe, { judgeStapling } from '../../checks/tls/stapling.js';
import { runProbe } from '../helpers/servers.js';
import type { TlsResult } from '../../src/facts/tls.js';
import { certificateList, judgeSslv3Reply, serverHandshakeMessages } from '../../src/facts/tls-depth.js';
import { certificateDetails, parseOcspResponse, type CertificateDetails } from '../../src/facts/x509.js';
import { LEGACY_CIPHERS } from '../../src/facts/tls.js';
import { createCertificateAuthority, createIntermediate, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { startDnsServer, type RunningDns } from '../../src/standins/dns.js';
import { MODERN_CIPHERS } from '../../src/standins/web.js';
import { catalogOf, runJson } from '../helpers/run-json.js';
import { TlsServers, ocspResponse } from '../helpers/tls-servers.js';

/**
 * The TLS depth probes through the real binary: one well-configured deployment (every probe
 * passes) and one where each service is broken in its own ways (each probe names the service).
 */
const servers = new TlsServers();
let root: KeyPair;
let intermediate: KeyPair;
let good: string;
const bad: Record<'api' | 'storefront' | 'vendor' | 'admin', string> = { api: '', storefront: '', vendor: '', admin: '' };
let dns: RunningDns;
let dnsClosed = false;
let revokedStaple: Buffer;
let goodLeaf: KeyPair;

beforeAll(async () => {
  root = await createCertificateAuthority();
  intermediate = await createIntermediate(root);
  goodLeaf = await issueCertificate(intermediate, { mustStaple: true, ocspUrl: 'http://ocsp.bazaarhub.test/' });
  const [goodStaple, weakLeaf, plainLeaf, vendorLeaf, adminLeaf] = await Promise.all([
    ocspResponse(intermediate, goodLeaf, 'good'),
    issueCertificate(intermediate, { keyBits: 1024, signatureHash: 'sha1' }),
    issueCertificate(intermediate),
    issueCertificate(intermediate, { hosts: ['localhost'], mustStaple: true, ocspUrl: 'http://ocsp.bazaarhub.test/' }),
    issueCertificate(intermediate, { ocspUrl: 'http://ocsp.bazaarhub.test/' }),
  ]);
  revokedStaple = await ocspResponse(intermediate, adminLeaf, 'revoked');
  const modern = { minVersion: 'TLSv1.2' as const, ciphers: MODERN_CIPHERS };
  good = await servers.start({ key: goodLeaf.key, certs: [goodLeaf.cert, intermediate.cert], ocsp: goodStaple, alpn: ['h2', 'http/1.1'], handshake: modern });
  // A 1024-bit SHA-1 leaf (the server needs security level 0 to load it) that also allows TLS 1.0 and legacy suites.
  bad.api = await servers.start({ key: weakLeaf.key, certs: [weakLeaf.cert, intermediate.cert], alpn: ['h2', 'http/1.1'], handshake: { minVersion: 'TLSv1', ciphers: LEGACY_CIPHERS } });
  // Leaf only (the intermediate is missing), HTTP/1.1 only, TLS 1.2 only, Node's default suites (static RSA).
  bad.storefront = await servers.start({ key: plainLeaf.key, certs: [plainLeaf.cert], alpn: ['http/1.1'], handshake: { maxVersion: 'TLSv1.2' } });
  // TLS 1.3 only, must-staple without a staple, SAN without 127.0.0.1, no ALPN.
  bad.vendor = await servers.start({ key: vendorLeaf.key, certs: [vendorLeaf.cert, intermediate.cert], handshake: { minVersion: 'TLSv1.3' } });
  // Chain out of order (root before the intermediate) and a stapled "revoked".
  bad.admin = await servers.start({ key: adminLeaf.key, certs: [adminLeaf.cert, root.cert, intermediate.cert], ocsp: revokedStaple, alpn: ['h2', 'http/1.1'], handshake: modern });
  dns = await startDnsServer({
    'good.bazaarhub.test': { CAA: [{ tag: 'issue', value: 'ca.bazaarhub.test; validationmethods=dns-01' }, { tag: 'iodef', value: 'mailto:ops@bazaarhub.test' }] },
    'bad.bazaarhub.test': { CAA: [{ tag: 'issue', value: 'letsencrypt.org' }] },
    'none.bazaarhub.test': { A: ['127.0.0.1'] },
    'bazaarhub.test': { A: ['127.0.0.1'] },
  });
}, 60_000);
afterAll(async () => {
  await servers.closeAll();
  if (!dnsClosed) await dns?.close();
});

const caFiles = () => ({ 'ca.pem': `${root.cert}\n${intermediate.cert}` });
const everyService = (url: string) => ({ APP_URL: url, STOREFRONT_URL: url, VENDOR_PANEL_URL: url, ADMIN_PANEL_URL: url });
const TLS_PROBES = ['tls.certificate', 'tls.protocols', 'tls.key', 'tls.signature', 'tls.san', 'tls.chain', 'tls.ocsp-stapling', 'tls.ciphers', 'tls.alpn', 'tls.ct'];

describe('TLS depth probes through the binary', () => {
  it('a well-configured deployment passes every TLS probe and reports its handshakes', async () => {
    const run = await runJson(everyService(good), TLS_PROBES, ['--ca', '{dir}/ca.pem'], caFiles());
    for (const probe of TLS_PROBES) expect([probe, run.byProbe(probe).status, run.byProbe(probe).observed]).toEqual([probe, 'pass', expect.any(String)]);
    expect(run.byProbe('tls.key').observed).toMatch(/leaf key RSA 2048 bits \(1 handshake\)/);
    expect(run.byProbe('tls.signature').observed).toMatch(/sha256WithRSAEncryption/);
    expect(run.byProbe('tls.chain').observed).toMatch(/complete and in order: sent 127\.0\.0\.1 → bazaarhub-check Test Intermediate, ends at the trusted root bazaarhub-check Test CA/);
    expect(run.byProbe('tls.ocsp-stapling').observed).toMatch(/stapled OCSP good, .*must-staple/);
    expect(run.byProbe('tls.alpn').details?.find((detail) => detail.subject === 'storefront')?.observed).toMatch(/h2 chosen/);
    expect(run.byProbe('tls.protocols').observed).toMatch(/TLS 1\.2 and 1\.3 offered; SSLv3, TLS 1\.0, 1\.1 and weak ciphers refused \(7 handshakes\)/);
    expect(run.byProbe('tls.ciphers').observed).toMatch(/^api: TLS 1\.2 suites accepted: ECDHE-RSA-[^;]*; all forward secret, none broken \(\d+ handshakes\)/);
    expect(run.code).toBe(0);
  }, 120_000);

  it('a deployment broken in every way fails each probe on the service that has the fault', async () => {
    const run = await runJson({ APP_URL: bad.api, STOREFRONT_URL: bad.storefront, VENDOR_PANEL_URL: bad.vendor, ADMIN_PANEL_URL: bad.admin }, TLS_PROBES, ['--ca', '{dir}/ca.pem'], caFiles());
    expect(run.statuses('tls.key')).toEqual({ api: 'fail', storefront: 'pass', 'vendor-panel': 'pass', 'admin-panel': 'pass' });
    expect(run.byProbe('tls.key').observed).toMatch(/api: leaf has an RSA 1024-bit key \(at least 2048\)/);
    expect(run.statuses('tls.signature')).toEqual({ api: 'fail', storefront: 'pass', 'vendor-panel': 'pass', 'admin-panel': 'pass' });
    expect(run.byProbe('tls.signature').observed).toMatch(/leaf is signed with sha1WithRSAEncryption/);
    expect(run.statuses('tls.chain')).toEqual({ api: 'pass', storefront: 'fail', 'vendor-panel': 'warn', 'admin-panel': 'fail' });
    const chain = run.byProbe('tls.chain').details ?? [];
    expect(chain.find((detail) => detail.subject === 'storefront')?.observed).toMatch(/incomplete: intermediate bazaarhub-check Test Intermediate is not sent/);
    expect(chain.find((detail) => detail.subject === 'admin-panel')?.observed).toMatch(/out of order/);
    expect(run.statuses('tls.san')).toEqual({ api: 'pass', storefront: 'pass', 'vendor-panel': 'fail', 'admin-panel': 'pass' });
    expect(run.byProbe('tls.san').observed).toMatch(/vendor-panel: SAN does not cover 127\.0\.0\.1 \(SAN: localhost\)/);
    expect(run.statuses('tls.ocsp-stapling')).toEqual({ api: 'pass', storefront: 'pass', 'vendor-panel': 'fail', 'admin-panel': 'fail' });
    expect(run.byProbe('tls.ocsp-stapling').observed).toMatch(/must-staple .* no OCSP response is stapled.*REVOKED|REVOKED.*must-staple/s);
    expect(run.statuses('tls.alpn')).toEqual({ api: 'pass', storefront: 'fail', 'vendor-panel': 'fail', 'admin-panel': 'pass' });
    expect(run.statuses('tls.ciphers')).toEqual({ api: 'fail', storefront: 'fail', 'vendor-panel': 'pass', 'admin-panel': 'pass' });
    expect(run.byProbe('tls.ciphers').observed).toMatch(/without forward secrecy .*AES/);
    expect(run.statuses('tls.protocols')).toEqual({ api: 'fail', storefront: 'warn', 'vendor-panel': 'warn', 'admin-panel': 'pass' });
    const protocols = run.byProbe('tls.protocols').details ?? [];
    expect(protocols.find((detail) => detail.subject === 'storefront')?.observed).toMatch(/TLS 1\.3 not offered/);
    expect(protocols.find((detail) => detail.subject === 'vendor-panel')?.observed).toMatch(/TLS 1\.2 not offered/);
    expect(run.code).not.toBe(0);
  }, 120_000);

  it('tls.ct: passes a private CA, and with requireForPrivate passes 2 embedded SCTs and warns on none', async () => {
    const logged = await issueCertificate(intermediate, { scts: 2 });
    const loggedUrl = await servers.start({ key: logged.key, certs: [logged.cert, intermediate.cert], handshake: { minVersion: 'TLSv1.2' } });
    const catalog = catalogOf([
      { id: 'ct-private', probe: 'tls.ct' },
      { id: 'ct-required', probe: 'tls.ct', params: { requireForPrivate: true } },
    ]);
    const run = await runJson({ APP_URL: loggedUrl, STOREFRONT_URL: good }, [], ['--catalog', '{dir}/c.yaml', '--ca', '{dir}/ca.pem'], { ...caFiles(), 'c.yaml': catalog });
    const byId = (id: string) => run.results.find((result) => result.id.endsWith(id));
    expect(byId('ct-private')).toMatchObject({ status: 'pass', observed: expect.stringMatching(/private CA .*CT not required; 2 SCTs embedded/) });
    expect(byId('ct-required')?.details?.map((detail) => [detail.subject, detail.status])).toEqual([['api', 'pass'], ['storefront', 'warn']]);
    expect(byId('ct-required')?.observed).toMatch(/storefront: no signed certificate timestamps embedded/);
  }, 120_000);

  it('tls.caa: permits the issuer, names the CA it does not permit, passes without records, skips without DNS', async () => {
    const caIdentifiers = { 'bazaarhub-check': ['ca.bazaarhub.test'] };
    const catalog = catalogOf([
      { id: 'caa-good', probe: 'tls.caa', params: { domain: 'shop.good.bazaarhub.test', caIdentifiers } },
      { id: 'caa-bad', probe: 'tls.caa', params: { domain: 'bad.bazaarhub.test', caIdentifiers } },
      { id: 'caa-none', probe: 'tls.caa', params: { domain: 'none.bazaarhub.test', caIdentifiers } },
    ]);
    const run = await runJson({ APP_URL: good, DNS_RESOLVER: dns.server }, [], ['--catalog', '{dir}/c.yaml', '--ca', '{dir}/ca.pem'], { ...caFiles(), 'c.yaml': catalog });
    const byId = (id: string) => run.results.find((result) => result.id.endsWith(id));
    expect(byId('caa-good')).toMatchObject({ status: 'pass', observed: expect.stringMatching(/CAA at good\.bazaarhub\.test permits ca\.bazaarhub\.test/) });
    expect(byId('caa-bad')).toMatchObject({ status: 'fail', observed: expect.stringMatching(/permits letsencrypt\.org, not the issuer "bazaarhub-check"/) });
    expect(byId('caa-none')).toMatchObject({ status: 'pass', observed: expect.stringMatching(/no CAA records/) });
    expect(dns.questions).toEqual(expect.arrayContaining(['shop.good.bazaarhub.test CAA', 'good.bazaarhub.test CAA']));
    await dns.close();
    dnsClosed = true;
    const silent = await runJson({ APP_URL: good, DNS_RESOLVER: dns.server }, [], ['--catalog', '{dir}/c.yaml', '--ca', '{dir}/ca.pem', '--timeout', '2'], { ...caFiles(), 'c.yaml': catalogOf([{ id: 'caa', probe: 'tls.caa', params: { domain: 'good.bazaarhub.test' } }]) });
    expect(silent.results[0]).toMatchObject({ status: 'skipped', observed: expect.stringMatching(/DNS not reachable/) });
  }, 120_000);
});

describe('TLS depth judgements on recorded facts', () => {
  const leaf = (extra: Partial<CertificateDetails> = {}): CertificateDetails => ({
    subject: 'CN=shop.bazaarhub.in', issuer: 'CN=R11', serialNumber: 'AB12', keyType: 'rsa', keyBits: 2048, signatureAlgorithm: 'sha256WithRSAEncryption', mustStaple: false, embeddedScts: 0, ocspUrls: [],
    altNames: ['shop.bazaarhub.in'], validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', selfIssued: false, fingerprint256: 'AA', der: Buffer.alloc(0), ...extra,
  });

  it('accepts EC P-256 and Ed25519 keys, rejects P-224 and DSA', () => {
    expect(judgeKeys([leaf({ keyType: 'ec', keyBits: 256, curve: 'prime256v1' })], { minRsaBits: 2048, minEcBits: 256 }).status).toBe('pass');
    expect(judgeKeys([leaf({ keyType: 'ed25519', keyBits: 256 })], { minRsaBits: 2048, minEcBits: 256 }).status).toBe('pass');
    expect(judgeKeys([leaf({ keyType: 'ec', keyBits: 224, curve: 'secp224r1' })], { minRsaBits: 2048, minEcBits: 256 }).status).toBe('fail');
    expect(judgeKeys([leaf({ keyType: 'dsa', keyBits: 2048 })], { minRsaBits: 2048, minEcBits: 256 }).status).toBe('fail');
  });

  it('judges key and signature only up to the certificate a trusted root signed (a SHA-1 cross-sign after it is ignored)', async () => {
    const der = (pem: string) => Buffer.from(new X509Certificate(pem).raw);
    const legacy = await issueCertificate(undefined, { signatureHash: 'sha1', keyBits: 1024, commonName: 'Old Cross-Sign' });
    const detail = { ok: true as const, host: 'h', port: 443, protocol: 'TLSv1.2', cipher: 'x', alpn: false as const, authorized: true, peerChain: [], sentChain: [der(goodLeaf.cert), der(intermediate.cert), der(legacy.cert)] };
    expect(sentCertificates(detail, [der(root.cert)]).map((cert) => cert.subject)).toEqual(['CN=127.0.0.1', 'CN=bazaarhub-check Test Intermediate, O=bazaarhub-check']);
    expect(judgeSignatures(sentCertificates(detail, [der(root.cert)])).status).toBe('pass');
    expect(judgeSignatures(sentCertificates(detail, [])).status).toBe('pass'); // the lone self-signed legacy certificate counts as a root
  });

  it('matches SANs as browsers do: one wildcard label, no CN fallback', () => {
    expect(sanCovers(['*.bazaarhub.in'], 'shop.bazaarhub.in')).toBe(true);
    expect(sanCovers(['*.bazaarhub.in'], 'a.shop.bazaarhub.in')).toBe(false);
    expect(sanCovers(['*.bazaarhub.in'], 'bazaarhub.in')).toBe(false);
    const served = [{ subject: 'api', host: 'api.bazaarhub.in', altNames: ['api.bazaarhub.in', 'shop.bazaarhub.in'], fingerprint256: 'A' }];
    expect(judgeSans(served, ['api.bazaarhub.in', 'shop.bazaarhub.in', 'admin.bazaarhub.in'], true)[0]).toMatchObject({ status: 'fail', observed: expect.stringMatching(/does not cover admin\.bazaarhub\.in/) });
    expect(judgeSans(served, ['api.bazaarhub.in', 'shop.bazaarhub.in'], false)[0]?.status).toBe('pass');
  });

  it('fails stale and expired staples, and passes a CRL-only certificate', () => {
    const policy = { requireStapling: false, maxAgeDays: 7 };
    const staple = { responseStatus: 'successful', certStatus: 'good' as const, serialNumber: 'AB12', thisUpdate: '2026-01-01T00:00:00.000Z', nextUpdate: '2026-01-08T00:00:00.000Z', signatureValid: true };
    expect(judgeStapling(leaf(), staple, new Date('2026-01-02T00:00:00Z'), policy).status).toBe('pass');
    expect(judgeStapling(leaf(), staple, new Date('2026-01-09T00:00:00Z'), policy).observed).toMatch(/stale: produced 8 days ago, expired/);
    expect(judgeStapling(leaf(), { ...staple, serialNumber: 'FF' }, new Date('2026-01-02T00:00:00Z'), policy).status).toBe('fail');
    expect(judgeStapling(leaf(), { ...staple, signatureValid: false }, new Date('2026-01-02T00:00:00Z'), policy).status).toBe('fail');
    expect(judgeStapling(leaf(), undefined, new Date(), policy).status).toBe('pass');
    expect(judgeStapling(leaf({ ocspUrls: ['http://o.example'] }), undefined, new Date(), policy).status).toBe('warn');
    expect(judgeStapling(leaf({ ocspUrls: ['http://o.example'] }), undefined, new Date(), { ...policy, requireStapling: true }).status).toBe('fail');
  });

  it('reads the staple of a TLS 1.3-only server too (the detail handshake falls back to TLS 1.3)', async () => {
    const leaf = await issueCertificate(intermediate, { mustStaple: true, ocspUrl: 'http://ocsp.bazaarhub.test/' });
    const url = await servers.start({ key: leaf.key, certs: [leaf.cert, intermediate.cert], ocsp: await ocspResponse(intermediate, leaf, 'good'), handshake: { minVersion: 'TLSv1.3' } });
    const finding = await runProbe(staplingProbe, { APP_URL: url }, {}, { ca: [root.cert] });
    expect(finding).toMatchObject({ status: 'pass', observed: expect.stringMatching(/stapled OCSP good.*must-staple \(2 handshakes\)/) });
  });

  it('reads a real revoked response from openssl ocsp, signature checked against the issuer', () => {
    const parsed = parseOcspResponse(revokedStaple, Buffer.from(new X509Certificate(intermediate.cert).raw));
    expect(parsed).toMatchObject({ responseStatus: 'successful', certStatus: 'revoked', signatureValid: true });
    expect(parseOcspResponse(revokedStaple, Buffer.from(new X509Certificate(root.cert).raw)).signatureValid).toBe(false);
  });

  it('judges chains: root-only trust, a lone self-signed leaf, an unrelated certificate', async () => {
    const selfSigned = await issueCertificate(undefined);
    const der = (pem: string) => Buffer.from(new X509Certificate(pem).raw);
    const anchors = [der(root.cert)];
    expect(judgeChain([der(goodLeaf.cert), der(intermediate.cert)], anchors).status).toBe('pass');
    expect(judgeChain([der(goodLeaf.cert), der(intermediate.cert), der(root.cert)], anchors)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/1 more certificate sent after it.*unnecessary/) });
    expect(judgeChain([der(goodLeaf.cert), der(intermediate.cert), der(root.cert)], [])).toMatchObject({ status: 'fail', observed: expect.stringMatching(/a root the trust store does not have/) });
    expect(judgeChain([der(goodLeaf.cert)], anchors).observed).toMatch(/neither sent nor a trusted root/);
    expect(judgeChain([der(goodLeaf.cert), der(root.cert)], anchors).observed).toMatch(/did not sign/);
    expect(judgeChain([der(selfSigned.cert)], anchors).observed).toMatch(/only a self-signed certificate/);
    expect(certificateDetails(der(goodLeaf.cert))).toMatchObject({ mustStaple: true, ocspUrls: ['http://ocsp.bazaarhub.test/'] });
  });

  it('fails NULL, anonymous and 3DES suites and can downgrade non-forward-secret ones to warn', () => {
    expect(judgeCiphers({ accepted: ['ECDHE-RSA-AES128-GCM-SHA256', 'DES-CBC3-SHA', 'AECDH-AES128-SHA', 'NULL-SHA256'], tls12Refused: false, handshakes: 5 }, 'fail').observed).toMatch(/broken suites DES-CBC3-SHA, AECDH-AES128-SHA, NULL-SHA256/);
    expect(judgeCiphers({ accepted: ['ECDHE-RSA-AES128-GCM-SHA256', 'AES128-GCM-SHA256'], tls12Refused: false, handshakes: 3 }, 'warn').status).toBe('warn');
    expect(judgeCiphers({ accepted: ['ECDHE-RSA-AES128-GCM-SHA256'], tls12Refused: false, error: 'no handshake within 10000 ms', handshakes: 2 }, 'fail').status).toBe('error');
  });

  it('warns on a 1024-bit DH group (Logjam territory) found while enumerating', async () => {
    const group = getDiffieHellman('modp2');
    const integer = (bytes: Buffer) => {
      const value = bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
      return Buffer.concat([Buffer.from([0x02, 0x81, value.length]), value]);
    };
    const body = Buffer.concat([integer(group.getPrime()), Buffer.from([0x02, 0x01, 0x02])]);
    const der = Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]);
    const dhparam = `-----BEGIN DH PARAMETERS-----\n${der.toString('base64')}\n-----END DH PARAMETERS-----\n`;
    const url = await servers.start({ key: goodLeaf.key, certs: [goodLeaf.cert, intermediate.cert], handshake: { ciphers: 'DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2', dhparam } });
    const finding = await runProbe(ciphersProbe, { APP_URL: url }, {}, { ca: [root.cert] });
    expect(finding).toMatchObject({ status: 'warn', observed: expect.stringMatching(/DHE-RSA-AES128-GCM-SHA256 uses a 1024-bit DH group/) });
    expect(judgeCiphers({ accepted: ['DHE-RSA-AES128-SHA'], ephemeral: { 'DHE-RSA-AES128-SHA': { type: 'DH', size: 512 } }, tls12Refused: false, handshakes: 2 }, 'fail').status).toBe('fail');
  });

  it('tls.ct: a chain ending at a bundled root is public; fewer than two SCTs warn there', () => {
    const bundledRoot = pemToDer(tlsModule.rootCertificates[0] as string);
    expect(chainsToPublicRoot(bundledRoot, bundledRoot)).toBe(true);
    expect(chainsToPublicRoot([Buffer.from(new X509Certificate(goodLeaf.cert).raw)], bundledRoot)).toBe(false);
    expect(judgeCt(1, true, false).status).toBe('warn');
    expect(judgeCt(3, true, false).status).toBe('pass');
  });

  it('reads truncated or garbage handshake bytes without throwing', () => {
    expect(serverHandshakeMessages(Buffer.from([22, 3, 3, 0, 9, 11, 0, 0]))).toEqual([]);
    expect(serverHandshakeMessages(Buffer.from([22, 3, 3, 0, 4, 11, 0, 0, 0]))).toEqual([{ type: 11, body: Buffer.alloc(0) }]);
    expect(() => certificateList(Buffer.alloc(0))).toThrow();
    expect(judgeChain(undefined, [], true).status).toBe('error');
  });

  it('reads an SSLv3 ServerHello as acceptance and an alert as refusal', () => {
    expect(judgeSslv3Reply(Buffer.from([22, 3, 0, 0, 74, 2, 0, 0, 70, 3, 0]))).toEqual({ accepted: true });
    expect(judgeSslv3Reply(Buffer.from([21, 3, 0, 0, 2, 2, 70]))).toMatchObject({ accepted: false, refused: true });
    const ok = (protocol: string): TlsResult => ({ ok: true, host: 'h', port: 443, protocol, cipher: { name: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', version: protocol }, authorized: true, chain: [] });
    const refused: TlsResult = { ok: false, host: 'h', port: 443, error: 'alert', refused: true };
    expect(judgeProtocols({ main: ok('TLSv1.3'), tls10: refused, tls11: refused, weak: refused, tls12: ok('TLSv1.2'), tls13: ok('TLSv1.3'), ssl3: { accepted: true } }).observed).toMatch(/accepts SSLv3/);
  });

  it('judges CAA: issuewild for wildcard certificates, an empty issue forbids every CA, unknown issuers warn', () => {
    const set = (records: Array<{ tag: string; value: string; critical?: boolean }>) => ({ name: 'bazaarhub.in', records: records.map((record) => ({ critical: false, ...record })) });
    expect(judgeCaa('bazaarhub.in', set([{ tag: 'issue', value: 'letsencrypt.org' }, { tag: 'issuewild', value: 'pki.goog' }]), "Let's Encrypt", ['letsencrypt.org'], true).status).toBe('fail');
    expect(judgeCaa('bazaarhub.in', set([{ tag: 'issue', value: ';' }]), "Let's Encrypt", ['letsencrypt.org'], false).observed).toMatch(/permits no CA/);
    expect(judgeCaa('bazaarhub.in', set([{ tag: 'issue', value: 'letsencrypt.org' }]), 'Odd CA', [], false).status).toBe('warn');
    expect(judgeCaa('bazaarhub.in', set([{ tag: 'future', value: 'x', critical: true }]), "Let's Encrypt", ['letsencrypt.org'], false).status).toBe('fail');
  });
});
