import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { ProbeContext, RunOptions } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { abortable } from './store.js';
import { countWire, endpointOf } from './wire.js';
import { settleOnce } from './settle.js';

/**
 * TLS handshake facts: one handshake per host:port serves every probe that reads the certificate,
 * protocol or cipher. `tls.protocols` adds a few deliberate handshakes with the version or cipher
 * list pinned (`handshakeVariant`), each memoized under its own key.
 */

/** One certificate of the presented chain, flattened for judgement and reports. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  issuerOrganization?: string;
  altNames: string[];
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  /** Subject equals issuer: a root, or a self-signed leaf when it is the only certificate. */
  selfIssued: boolean;
}

export interface TlsHandshake {
  ok: true;
  host: string;
  port: number;
  protocol: string;
  cipher: { name: string; standardName: string; version: string };
  /** The chain verified against the trust store (system roots, NODE_EXTRA_CA_CERTS, --ca). */
  authorized: boolean;
  /** OpenSSL's verification error code, e.g. CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT. */
  authorizationError?: string;
  /** Hostname mismatch, checked separately so it is reported even when the chain also fails. */
  hostnameError?: string;
  /** Leaf first; empty for a pinned handshake (HandshakePins), which reads no certificate. */
  chain: CertificateInfo[];
  /** The key exchange's ephemeral key (DH or ECDH, with its size), when there was one. */
  ephemeral?: { type: string; name?: string; size?: number };
}

export interface TlsFailure {
  ok: false;
  host: string;
  port: number;
  error: string;
  code?: string;
  /**
   * The server answered and refused the handshake (TLS alert, reset, version or cipher mismatch),
   * as opposed to a network failure (refused connection, timeout) that says nothing about TLS.
   */
  refused: boolean;
}

export type TlsResult = TlsHandshake | TlsFailure;

/** Pins for the deliberate extra handshakes of `tls.protocols`. */
export interface HandshakePins {
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
}

/**
 * Node 20's OpenSSL 3 refuses TLS 1.0/1.1 at its default security level (legacy SHA-1 signature
 * algorithms are disallowed) before the server is even asked, which would read as "server refused
 * TLS 1.0" for every server. `@SECLEVEL=0` on our side lets the client offer the old versions,
 * so a refusal really is the server's. Verified on this build (OpenSSL 3.0.x): with SECLEVEL=0
 * TLS 1.0 and 1.1 negotiate against a server that allows them.
 */
export const LEGACY_CIPHERS = 'DEFAULT@SECLEVEL=0';

/**
 * Ciphers nobody should accept in 2024+: static-RSA key exchange (no forward secrecy), anonymous
 * DH, and 3DES/RC4/NULL/EXPORT where this OpenSSL still knows them (3.0 without the legacy
 * provider drops most; the list stays so a build that has them offers them too).
 */
export const WEAK_CIPHERS = 'kRSA:aNULL:eNULL:3DES:RC4:EXPORT:NULL:@SECLEVEL=0';

let extraCaCache: string[] | undefined;

/** The PEM of NODE_EXTRA_CA_CERTS (read once), for trust stores that list every CA explicitly. */
export function extraCaCerts(): string[] {
  if (extraCaCache) return extraCaCache;
  const file = process.env.NODE_EXTRA_CA_CERTS;
  extraCaCache = [];
  if (file) {
    try {
      extraCaCache = [readFileSync(file, 'utf8')];
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at start-up.
    }
  }
  return extraCaCache;
}

/**
 * A secure context trusting Node's default store (the bundled roots and NODE_EXTRA_CA_CERTS, parsed
 * once per process and shared by every context made from it) plus `added` (the --ca certificates),
 * added to this context alone: the same trust as listing them all in `ca`, which made OpenSSL parse
 * ~140 PEM roots per context, 18 ms of CPU each (measured), for the run's main context, each
 * per-version detail context and every database connection.
 */
export function trustingContext(added: readonly string[], versions: Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion'> = {}): tls.SecureContext {
  const context = tls.createSecureContext(versions);
  // The first certificate added gives this context its own copy of the store, and Node 20 copies
  // only the bundled roots into it: NODE_EXTRA_CA_CERTS is added again (a duplicate is ignored).
  if (added.length) for (const pem of [...extraCaCerts(), ...added]) (context.context as { addCACert(pem: string): void }).addCACert(pem);
  return context;
}

const contexts = new Map<string, tls.SecureContext>();

/**
 * One secure context per trust store (undefined without --ca: Node's default is the same store), so
 * no connection of `http.latency` pays for building one in its sample.
 */
export function secureContextFor(options: RunOptions): tls.SecureContext | undefined {
  if (options.ca.length === 0) return undefined;
  const key = options.ca.join('\n');
  let context = contexts.get(key);
  if (!context) {
    context = trustingContext(options.ca);
    contexts.set(key, context);
  }
  return context;
}

const pinnedContexts = new Map<string, tls.SecureContext>();

/**
 * One context per pin set (versions, ciphers), shared by every host: a context per handshake cost
 * ~0.9 ms of CPU each (measured), and tls.protocols pins five handshakes per host. Pinned
 * handshakes verify nothing, so Node's default trust store is enough.
 */
function pinnedContext(pins: HandshakePins): tls.SecureContext {
  const key = `${pins.minVersion ?? ''}|${pins.maxVersion ?? ''}|${pins.ciphers ?? ''}`;
  let context = pinnedContexts.get(key);
  if (!context) {
    context = tls.createSecureContext(pins);
    pinnedContexts.set(key, context);
  }
  return context;
}

/** SNI must be a DNS name; an IP literal is matched against the certificate's IP SANs instead. */
export function serverName(host: string): string | undefined {
  return isIP(host) ? undefined : host;
}

function attribute(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function describeName(name: tls.Certificate | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${attribute(value as string | string[])}`)
    .join(', ');
}

function flatten(peer: tls.DetailedPeerCertificate): CertificateInfo[] {
  const chain: CertificateInfo[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = peer;
  // Bounded walk: OpenSSL links a root's issuerCertificate to itself.
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256) && chain.length < 10) {
    seen.add(cert.fingerprint256);
    const subject = describeName(cert.subject);
    const issuer = describeName(cert.issuer);
    chain.push({
      subject,
      issuer,
      ...(cert.issuer?.O ? { issuerOrganization: attribute(cert.issuer.O) } : {}),
      altNames: (cert.subjectaltname ?? '')
        .split(/,\s*/)
        .filter(Boolean)
        .map((name) => name.replace(/^(DNS|IP Address):/, '')),
      validFrom: new Date(cert.valid_from).toISOString(),
      validTo: new Date(cert.valid_to).toISOString(),
      fingerprint256: cert.fingerprint256,
      selfIssued: subject === issuer,
    });
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Failures that say nothing about what the server accepts: the network, our timeout, and our own
 * OpenSSL declining to offer or finish what was asked (no such cipher or protocol in this build,
 * a legacy signature it will not accept). These are "could not test", never "refused".
 */
const NOT_A_REFUSAL = new Set([
  'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ABORT_ERR',
  'ERR_SSL_NO_CIPHER_MATCH', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED',
]);

/** A handshake that did not finish: its first error line, and whether the server refused (see NOT_A_REFUSAL). */
export function handshakeFailure(host: string, port: number, error: unknown, code?: string): TlsFailure {
  const errorCode = code ?? ((error as NodeJS.ErrnoException)?.code || undefined);
  return {
    ok: false,
    host,
    port,
    error: errorMessage(error).split('\n')[0] ?? 'handshake failed',
    ...(errorCode ? { code: errorCode } : {}),
    refused: errorCode === undefined ? true : !NOT_A_REFUSAL.has(errorCode),
  };
}

/** One real TLS handshake. Verification is recorded, not enforced, so a bad certificate is still described. */
export function handshake(host: string, port: number, options: RunOptions, signal: AbortSignal, timeoutMs: number, pins: HandshakePins = {}): Promise<TlsResult> {
  // Many requests and handshakes of one run legitimately wait on the same run signal.
  setMaxListeners(0, signal);
  return new Promise((resolve) => {
    // Pinned handshakes only ask what the server negotiates; trust matters for the normal one.
    const pinned = Boolean(pins.minVersion || pins.maxVersion || pins.ciphers);
    const servername = serverName(host);
    let socket: tls.TLSSocket;
    try {
      const secureContext = pinned ? pinnedContext(pins) : secureContextFor(options);
      socket = tls.connect({
        host,
        port,
        ...(servername ? { servername } : {}),
        ...(secureContext ? { secureContext } : {}),
        rejectUnauthorized: false,
        // Our own check below reports hostname errors even when the chain fails too.
        checkServerIdentity: () => undefined,
      });
    } catch (error) {
      // createSecureContext throws synchronously when this OpenSSL cannot build the pinned context.
      const code = (error as NodeJS.ErrnoException).code;
      resolve({ ok: false, host, port, error: errorMessage(error), ...(code ? { code } : {}), refused: false });
      return;
    }
    // tls.connect without a socket is on no diagnostics channel: the facts layer counts it (see wire.ts).
    countWire('tls', endpointOf(host, port), { connections: 1 });
    socket.once('connect', () => countWire('tls', endpointOf(host, port), { handshakes: 1 }));
    const finish = settleOnce<TlsResult>(resolve, {
      signal,
      timeoutMs,
      timedOut: () => handshakeFailure(host, port, new Error(`no handshake within ${timeoutMs} ms`), 'ETIMEDOUT'),
      aborted: () => handshakeFailure(host, port, new Error('aborted before the handshake finished'), 'ABORT_ERR'),
      cleanup: () => socket.destroy(),
    });
    const fail = (error: unknown, code?: string) => finish(handshakeFailure(host, port, error, code));
    socket.once('error', (error) => fail(error));
    // A server that closes without an alert refused the handshake just the same.
    socket.once('close', () => fail(new Error('connection closed during the handshake'), 'ECONNRESET'));
    socket.once('secureConnect', () => {
      // A pinned handshake asks only what is negotiated: its certificates are the normal one's, and
      // reading the chain into objects costs ~1 ms per handshake (tls.protocols pins five per host).
      const peer = pinned ? undefined : socket.getPeerCertificate(true);
      const cipher = socket.getCipher();
      const hostnameError = pinned ? undefined : peer && peer.raw ? tls.checkServerIdentity(host, peer) : new Error('no certificate presented');
      const authorizationError = socket.authorizationError ? String((socket.authorizationError as unknown as { code?: string }).code ?? socket.authorizationError) : undefined;
      finish({
        ok: true,
        host,
        port,
        protocol: socket.getProtocol() ?? 'unknown',
        cipher: { name: cipher.name, standardName: cipher.standardName, version: cipher.version },
        authorized: socket.authorized,
        ...(authorizationError ? { authorizationError } : {}),
        ...(hostnameError ? { hostnameError: hostnameError.message } : {}),
        chain: peer && peer.raw ? flatten(peer) : [],
        ...ephemeralOf(socket),
      });
    });
  });
}

function ephemeralOf(socket: tls.TLSSocket): { ephemeral?: TlsHandshake['ephemeral'] } {
  const info = socket.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
  if (!info || !info.type) return {};
  return { ephemeral: { type: info.type, ...(info.name ? { name: info.name } : {}), ...(info.size ? { size: info.size } : {}) } };
}

function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** The run's one handshake with `url`'s host:port, shared by every probe. */
export function tlsFacts(ctx: ProbeContext, url: URL, variant?: { name: string; pins: HandshakePins }): Promise<TlsResult> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = portOf(url);
  const key = `${host}:${port}${variant ? ` ${variant.name}` : ''}`;
  const fact = ctx.facts.once(`tls ${key}`, () =>
    ctx.facts.guard(`${host}:${port}`, () => {
      ctx.facts.countContact('tls', key);
      // The run's signal and budget, not this probe's: the fact outlives the probe that asked first.
      return handshake(host, port, ctx.options, ctx.facts.signal, ctx.facts.timeoutMs, variant?.pins);
    }),
    { retry: true },
  );
  return abortable(fact, ctx.signal);
}
