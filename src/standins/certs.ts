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
  /** Also valid for TLS client authentication (a PostgreSQL `cert` login; commonName = the role). */
  clientAuth?: boolean;
}

type Forge = typeof import('node-forge');

async function forge(): Promise<Forge> {
  const module = (await import('node-forge')) as unknown as { default?: Forge } & Forge;
  return module.default ?? module;
}

function rsaKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function days(offset: number): Date {
  return new Date(Date.now() + offset * 86_400_000);
}

export async function createCertificateAuthority(name = 'bazaarhub-check Test CA', organization = 'bazaarhub-check'): Promise<KeyPair> {
  const f = await forge();
  const { privateKey, publicKey } = rsaKeyPair();
  const cert = f.pki.createCertificate();
  cert.publicKey = f.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = days(-1);
  cert.validity.notAfter = days(3650);
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
  const f = await forge();
  const { privateKey, publicKey } = rsaKeyPair();
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost'];
  const cert = f.pki.createCertificate();
  cert.publicKey = f.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = days(options.notBeforeDays ?? -1);
  cert.validity.notAfter = days(options.notAfterDays ?? 200);
  cert.setSubject([{ name: 'commonName', value: options.commonName ?? hosts[0] ?? 'localhost' }]);
  const caCert = ca ? f.pki.certificateFromPem(ca.cert) : undefined;
  cert.setIssuer(caCert ? caCert.subject.attributes : [{ name: 'commonName', value: options.commonName ?? hosts[0] ?? 'localhost' }, ...(options.issuerOrganization ? [{ name: 'organizationName', value: options.issuerOrganization }] : [])]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, ...(options.clientAuth ? { clientAuth: true } : {}) },
    ...(hosts.length ? [{ name: 'subjectAltName', altNames: hosts.map((host) => (/^[\d.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host })) }] : []),
  ]);
  cert.sign(f.pki.privateKeyFromPem(ca ? ca.key : privateKey), f.md.sha256.create());
  return { key: privateKey, cert: f.pki.certificateToPem(cert) };
}
