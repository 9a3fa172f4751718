import { X509Certificate, verify, type KeyObject } from 'node:crypto';

/**
 * What the TLS depth probes read from certificates and stapled OCSP responses that Node's
 * X509Certificate does not expose (the signature algorithm, the TLS Feature "must-staple"
 * extension, OCSP response fields). A minimal DER walker: only lengths, tags and the few fields
 * named here; anything malformed reads as "unknown", never as a pass.
 */

interface Tlv {
  tag: number;
  /** Offset of the value. */
  start: number;
  /** Offset after the value. */
  end: number;
  /** Offset of the tag (for re-encoding a whole element, e.g. the signed part). */
  offset: number;
}

function readTlv(buf: Buffer, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new Error('truncated DER');
  const tag = buf[offset] as number;
  let length = buf[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + (buf[start + i] as number);
    start += bytes;
  }
  const end = start + length;
  if (end > limit) throw new Error('truncated DER');
  return { tag, start, end, offset };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    const child = readTlv(buf, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

function oid(buf: Buffer, node: Tlv): string {
  const bytes = buf.subarray(node.start, node.end);
  const first = bytes[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

function generalizedTime(buf: Buffer, node: Tlv): string | undefined {
  const text = buf.subarray(node.start, node.end).toString('ascii');
  const match = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`).toISOString();
}

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

/** Node's digest name for an RSA/ECDSA signature algorithm, for verifying OCSP signatures. */
function digestOf(name: string): string | undefined {
  const match = /(sha\d+|md5)/i.exec(name);
  return match ? match[1]!.toLowerCase() : undefined;
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, 'P-256': 256, secp256k1: 256, secp384r1: 384, 'P-384': 384, secp521r1: 521, 'P-521': 521, secp224r1: 224, prime192v1: 192 };
const TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
const SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';

/** Entries of a TLS-encoded SignedCertificateTimestampList (2-byte list length, then 2-byte-length entries). */
function countScts(list: Buffer): number {
  if (list.length < 2) return 0;
  const end = Math.min(list.length, 2 + list.readUInt16BE(0));
  let count = 0;
  for (let offset = 2; offset + 2 <= end; count += 1) offset += 2 + list.readUInt16BE(offset);
  return count;
}

/** One certificate as the depth probes judge it. */
export interface CertificateDetails {
  subject: string;
  issuer: string;
  serialNumber: string;
  /** rsa, ec, ed25519, rsa-pss, dsa, ... (Node's asymmetricKeyType). */
  keyType: string;
  /** RSA modulus / EC curve size in bits; undefined when unknown. */
  keyBits?: number;
  curve?: string;
  signatureAlgorithm: string;
  /** TLS Feature extension with status_request (RFC 7633 "must-staple"). */
  mustStaple: boolean;
  /** Signed certificate timestamps embedded by the CA (RFC 6962 extension), 0 when none. */
  embeddedScts: number;
  /** OCSP responder URLs from Authority Information Access. */
  ocspUrls: string[];
  /** DNS and IP subjectAltName entries. */
  altNames: string[];
  validFrom: string;
  validTo: string;
  selfIssued: boolean;
  /** Subject organisation of the issuer, for CAA matching. */
  issuerOrganization?: string;
  fingerprint256: string;
  der: Buffer;
}

function nameAttribute(name: string, key: string): string | undefined {
  const line = name.split('\n').find((part) => part.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

const detailsCache = new WeakMap<Buffer, CertificateDetails>();

/** Memoized per DER buffer: the TLS probes each read the same chains and the trust store's ~140 roots (measured: ~70 ms of a full run's CPU). */
export function certificateDetails(der: Buffer): CertificateDetails {
  let details = detailsCache.get(der);
  if (!details) {
    details = readCertificateDetails(der);
    detailsCache.set(der, details);
  }
  return details;
}

function readCertificateDetails(der: Buffer): CertificateDetails {
  const x509 = parsed(der);
  const key = x509.publicKey;
  const keyDetails = key.asymmetricKeyDetails ?? {};
  const keyType = key.asymmetricKeyType ?? 'unknown';
  let keyBits = keyDetails.modulusLength;
  const curve = keyDetails.namedCurve;
  if (curve) keyBits = CURVE_BITS[curve];
  if (keyType === 'ed25519') keyBits = 256;
  if (keyType === 'ed448') keyBits = 448;

  let signatureAlgorithm = 'unknown';
  let mustStaple = false;
  let embeddedScts = 0;
  try {
    const root = readTlv(der, 0);
    const [tbs, algorithm] = children(der, root);
    const algorithmOid = algorithm ? children(der, algorithm)[0] : undefined;
    if (algorithmOid) {
      const id = oid(der, algorithmOid);
      signatureAlgorithm = SIGNATURE_ALGORITHMS[id] ?? id;
    }
    const extensions = tbs ? children(der, tbs).find((node) => node.tag === 0xa3) : undefined;
    const list = extensions ? children(der, extensions)[0] : undefined;
    for (const extension of list ? children(der, list) : []) {
      const parts = children(der, extension);
      const id = parts[0] ? oid(der, parts[0]) : '';
      const value = parts.at(-1);
      if (id === SCT_LIST && value) {
        // OCTET STRING { OCTET STRING { SignedCertificateTimestampList } }
        const inner = readTlv(der, value.start, value.end);
        embeddedScts = countScts(der.subarray(inner.start, inner.end));
      }
      if (id !== TLS_FEATURE || !value) continue;
      // OCTET STRING { SEQUENCE OF INTEGER }: 5 is status_request.
      const features = children(der, readTlv(der, value.start, value.end));
      mustStaple = features.some((feature) => feature.tag === 0x02 && der.subarray(feature.start, feature.end).readUIntBE(0, feature.end - feature.start) === 5);
    }
  } catch {
    // Malformed: the fields stay unknown and the judgements say so.
  }
  const subject = oneLine(x509.subject);
  const issuer = oneLine(x509.issuer);
  const ocspUrls = [...(x509.infoAccess ?? '').matchAll(/OCSP - URI:(\S+)/g)].map((match) => match[1] as string);
  const altNames = (x509.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => /^(DNS|IP Address):/.test(entry))
    .map((entry) => entry.replace(/^(DNS|IP Address):/, '').toLowerCase());
  const issuerOrganization = nameAttribute(x509.issuer, 'O');
  return {
    subject,
    issuer,
    serialNumber: x509.serialNumber.toUpperCase().replace(/^0+(?=.)/, ''),
    keyType,
    ...(keyBits !== undefined ? { keyBits } : {}),
    ...(curve ? { curve } : {}),
    signatureAlgorithm,
    mustStaple,
    embeddedScts,
    ocspUrls,
    altNames,
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    selfIssued: x509.subject === x509.issuer,
    ...(issuerOrganization ? { issuerOrganization } : {}),
    fingerprint256: x509.fingerprint256,
    der,
  };
}

const parsedCache = new WeakMap<Buffer, X509Certificate>();

/** One parse per DER buffer (the trust store's ~140 roots are judged against every host). */
function parsed(der: Buffer): X509Certificate {
  let cert = parsedCache.get(der);
  if (!cert) {
    cert = new X509Certificate(der);
    parsedCache.set(der, cert);
  }
  return cert;
}

/** Whether `issuer` signed `cert` (names chain and the signature verifies). */
export function issuedBy(cert: Buffer, issuer: Buffer): boolean {
  try {
    const child = parsed(cert);
    const parent = parsed(issuer);
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** A stapled OCSP response, as far as the stapling probe needs it. */
export interface OcspDetails {
  /** successful, malformedRequest, internalError, tryLater, sigRequired, unauthorized. */
  responseStatus: string;
  certStatus?: 'good' | 'revoked' | 'unknown';
  /** Serial number of the certificate the single response is about (hex, upper case). */
  serialNumber?: string;
  producedAt?: string;
  thisUpdate?: string;
  nextUpdate?: string;
  /** The signature verifies with the issuer's key or a delegated responder certificate the issuer signed. */
  signatureValid?: boolean;
}

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', 'unused', 'sigRequired', 'unauthorized'];

function integerHex(buf: Buffer, node: Tlv): string {
  return buf.subarray(node.start, node.end).toString('hex').toUpperCase().replace(/^0+(?=.)/, '');
}

/** Parses a DER OCSPResponse (RFC 6960); `issuer` (DER) lets it check the signature. */
export function parseOcspResponse(der: Buffer, issuer?: Buffer): OcspDetails {
  const root = readTlv(der, 0);
  const [status, bytes] = children(der, root);
  if (!status) throw new Error('empty OCSP response');
  const responseStatus = RESPONSE_STATUS[der[status.start] ?? 99] ?? `status ${der[status.start]}`;
  if (!bytes) return { responseStatus };
  const responseBytes = children(der, bytes)[0];
  const octets = responseBytes ? children(der, responseBytes)[1] : undefined;
  if (!octets) return { responseStatus };
  const basic = readTlv(der, octets.start, octets.end);
  const [tbs, sigAlg, signature, certs] = children(der, basic);
  if (!tbs || !sigAlg || !signature) return { responseStatus };
  const fields = children(der, tbs).filter((node) => node.tag !== 0xa0);
  // responderID, producedAt, responses, [extensions]
  const producedAt = fields[1] ? generalizedTime(der, fields[1]) : undefined;
  const single = fields[2] ? children(der, fields[2])[0] : undefined;
  const result: OcspDetails = { responseStatus, ...(producedAt ? { producedAt } : {}) };
  if (single) {
    const [certId, certStatus, thisUpdate, ...rest] = children(der, single);
    const serial = certId ? children(der, certId)[3] : undefined;
    if (serial) result.serialNumber = integerHex(der, serial);
    if (certStatus) result.certStatus = certStatus.tag === 0x80 ? 'good' : certStatus.tag === 0xa1 ? 'revoked' : 'unknown';
    const updated = thisUpdate ? generalizedTime(der, thisUpdate) : undefined;
    if (updated) result.thisUpdate = updated;
    const next = rest.find((node) => node.tag === 0xa0);
    const nextTime = next ? children(der, next)[0] : undefined;
    const nextUpdate = nextTime ? generalizedTime(der, nextTime) : undefined;
    if (nextUpdate) result.nextUpdate = nextUpdate;
  }
  if (issuer) result.signatureValid = ocspSignatureValid(der, tbs, sigAlg, signature, certs, issuer);
  return result;
}

function ocspSignatureValid(der: Buffer, tbs: Tlv, sigAlg: Tlv, signature: Tlv, certs: Tlv | undefined, issuer: Buffer): boolean {
  try {
    const algorithmOid = children(der, sigAlg)[0];
    const algorithm = algorithmOid ? SIGNATURE_ALGORITHMS[oid(der, algorithmOid)] ?? '' : '';
    const signed = der.subarray(tbs.offset, tbs.end);
    // BIT STRING: the first byte counts unused bits.
    const value = der.subarray(signature.start + 1, signature.end);
    const keys: KeyObject[] = [new X509Certificate(issuer).publicKey];
    if (certs) {
      const list = children(der, certs)[0];
      for (const cert of list ? children(der, list) : []) {
        const certDer = der.subarray(cert.offset, cert.end);
        // A delegated responder: issued by the same CA and marked for OCSP signing (RFC 6960 4.2.2.2).
        const responder = new X509Certificate(certDer);
        if (issuedBy(certDer, issuer) && (responder.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.9')) keys.push(responder.publicKey);
      }
    }
    const digest = algorithm.startsWith('Ed') ? null : digestOf(algorithm);
    return keys.some((key) => {
      try {
        return verify(digest ?? null, signed, key, value);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
