import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Certificates for local stand-ins and tests: a local CA and leaves signed by it, with any validity
 * window (expired, expiring in 3 days, ...), hostnames, or self-signed. Keys come from node:crypto
 * (fast, native); node-forge only assembles and signs the X.509 structure, and loads lazily.
 */
export interface KeyPair {
  key: string;
  cert: string;
}

export interface CertificateOptions {
  commonName?: string;
  /** DNS names and IP addresses for subjectAltName; default 127.0.0.1 and localhost. */
  hosts?: string[];
  /** Validity window relative to now, in days (may be negative for an expired certificate). */
  notBeforeDays?: number;
  notAfterDays?: number;
  /** Issuer organisation, e.g. "Let's Encrypt" to exercise the 90-day certificate rules. */
  issuerOrganization?: string;
  /** RSA key size of the leaf; default 2048. */
  keyBits?: number;
  /** Signature hash; sha1 makes the legacy certificate the TLS probes must reject. */
  signatureHash?: 'sha1' | 'sha256';
  /** RFC 7633 TLS Feature status_request ("must-staple"). */
  mustStaple?: boolean;
  /** Authority Information Access OCSP responder URL. */
  ocspUrl?: string;
  /** Embed this many (dummy, unsigned) signed certificate timestamps, as a public CA does for CT. */
  scts?: number;
  /** Also valid for TLS client authentication (a PostgreSQL `cert` login; commonName = the role). */
  clientAuth?: boolean;
}

type Forge = typeof import('node-forge');

async function forge(): Promise<Forge> {
  const module = (await import('node-forge')) as unknown as { default?: Forge } & Forge;
  return module.default ?? module;
}

function rsaKeyPair(bits = 2048): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function days(offset: number): Date {
  return new Date(Date.now() + offset * 86_400_000);
}

/** A new key pair and an unsigned certificate for its public key, valid from `fromDays` to `toDays` (relative to now). */
async function blankCertificate(fromDays: number, toDays: number, keyBits?: number) {
  const f = await forge();
  const { privateKey, publicKey } = rsaKeyPair(keyBits);
  const cert = f.pki.createCertificate();
  cert.publicKey = f.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = days(fromDays);
  cert.validity.notAfter = days(toDays);
  return { f, cert, privateKey };
}

export async function createCertificateAuthority(name = 'bazaarhub-check Test CA', organization = 'bazaarhub-check'): Promise<KeyPair> {
  const { f, cert, privateKey } = await blankCertificate(-1, 3650);
  const attrs = [{ name: 'commonName', value: name }, { name: 'organizationName', value: organization }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(f.pki.privateKeyFromPem(privateKey), f.md.sha256.create());
  return { key: privateKey, cert: f.pki.certificateToPem(cert) };
}

/** A leaf signed by `ca`, or self-signed when `ca` is undefined. */
export async function issueCertificate(ca: KeyPair | undefined, options: CertificateOptions = {}): Promise<KeyPair> {
  const { f, cert, privateKey } = await blankCertificate(options.notBeforeDays ?? -1, options.notAfterDays ?? 200, options.keyBits);
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost'];
  cert.setSubject([{ name: 'commonName', value: options.commonName ?? hosts[0] ?? 'localhost' }]);
  const caCert = ca ? f.pki.certificateFromPem(ca.cert) : undefined;
  cert.setIssuer(caCert ? caCert.subject.attributes : [{ name: 'commonName', value: options.commonName ?? hosts[0] ?? 'localhost' }, ...(options.issuerOrganization ? [{ name: 'organizationName', value: options.issuerOrganization }] : [])]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, ...(options.clientAuth ? { clientAuth: true } : {}) },
    ...(hosts.length ? [{ name: 'subjectAltName', altNames: hosts.map((host) => (/^[\d.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host })) }] : []),
    ...extraExtensions(f, options),
  ]);
  cert.sign(f.pki.privateKeyFromPem(ca ? ca.key : privateKey), options.signatureHash === 'sha1' ? f.md.sha1.create() : f.md.sha256.create());
  return { key: privateKey, cert: f.pki.certificateToPem(cert) };
}

/** The TLS Feature and AIA extensions, DER-encoded by hand (forge has no names for them). */
function extraExtensions(f: Forge, options: CertificateOptions): object[] {
  const asn1 = f.asn1;
  const extensions: object[] = [];
  if (options.mustStaple) {
    const value = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(5))]);
    extensions.push({ id: '1.3.6.1.5.5.7.1.24', value: asn1.toDer(value).getBytes() });
  }
  if (options.ocspUrl) {
    const access = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('1.3.6.1.5.5.7.48.1').getBytes()),
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, options.ocspUrl),
      ]),
    ]);
    extensions.push({ id: '1.3.6.1.5.5.7.1.1', value: asn1.toDer(access).getBytes() });
  }
  if (options.scts) {
    // SignedCertificateTimestampList: a 2-byte total length, then each SCT with a 2-byte length (contents are not checked by the probes).
    const entries = Array.from({ length: options.scts }, (_, index) => Buffer.concat([Buffer.from([0, 47, 0]), Buffer.alloc(46, index + 1)]));
    const body = Buffer.concat(entries);
    const list = Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
    const inner = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, list.toString('binary'));
    extensions.push({ id: '1.3.6.1.4.1.11129.2.4.2', value: asn1.toDer(inner).getBytes() });
  }
  return extensions;
}

/** An intermediate CA signed by `root`, for chains of three. */
export async function createIntermediate(root: KeyPair, name = 'bazaarhub-check Test Intermediate'): Promise<KeyPair> {
  const { f, cert, privateKey } = await blankCertificate(-1, 1825);
  cert.setSubject([{ name: 'commonName', value: name }, { name: 'organizationName', value: 'bazaarhub-check' }]);
  cert.setIssuer(f.pki.certificateFromPem(root.cert).subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(f.pki.privateKeyFromPem(root.key), f.md.sha256.create());
  return { key: privateKey, cert: f.pki.certificateToPem(cert) };
}
