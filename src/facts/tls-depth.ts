import { setMaxListeners } from 'node:events';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { ProbeContext, RunOptions } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { abortable } from './store.js';
import { countWire, endpointOf } from './wire.js';
import { settleOnce } from './settle.js';
import { handshake, handshakeFailure, serverName, tlsFacts, trustingContext, type HandshakePins, type TlsResult } from './tls.js';

/**
 * The deeper TLS facts (testssl.sh's ground): the chain exactly as the server sent it, the stapled
 * OCSP response and the ALPN choice (one "detail" handshake per host), every TLS 1.2 cipher suite
 * the server accepts (one handshake per suite found, plus the refusal that ends the list), and
 * whether SSLv3 is refused (a raw ClientHello, since OpenSSL 3 cannot speak SSLv3 at all).
 */

export interface DetailHandshake {
  ok: true;
  host: string;
  port: number;
  protocol: string;
  cipher: string;
  /**
   * DER certificates exactly as the server sent them, in its order. Only readable in TLS 1.2
   * (TLS 1.3 encrypts the Certificate message); undefined when only TLS 1.3 was possible.
   */
  sentChain?: Buffer[];
  /** TLS 1.2 was negotiated but the recorded handshake could not be read (sentChain then absent). */
  wireUnreadable?: boolean;
  /** The chain as Node assembled it, leaf first (may be reordered or completed from the trust store). */
  peerChain: Buffer[];
  /** The stapled OCSP response (DER), when the server sent one. */
  ocsp?: Buffer;
  /** The protocol the server chose from h2 and http/1.1, or false when it chose none. */
  alpn: string | false;
  authorized: boolean;
  authorizationError?: string;
}

export type DetailResult = DetailHandshake | Extract<TlsResult, { ok: false }>;

const RECORD_HANDSHAKE = 22;
const RECORD_CHANGE_CIPHER_SPEC = 20;
const MESSAGE_CERTIFICATE = 11;
const MESSAGE_CERTIFICATE_STATUS = 22;

/** The server's plaintext handshake messages (TLS 1.2: everything before its ChangeCipherSpec). */
export function serverHandshakeMessages(bytes: Buffer): Array<{ type: number; body: Buffer }> {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const type = bytes[offset] as number;
    const length = bytes.readUInt16BE(offset + 3);
    if (offset + 5 + length > bytes.length) break;
    if (type === RECORD_CHANGE_CIPHER_SPEC) break;
    if (type === RECORD_HANDSHAKE) payloads.push(bytes.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  const stream = Buffer.concat(payloads);
  const messages: Array<{ type: number; body: Buffer }> = [];
  offset = 0;
  while (offset + 4 <= stream.length) {
    const type = stream[offset] as number;
    const length = stream.readUIntBE(offset + 1, 3);
    if (offset + 4 + length > stream.length) break;
    messages.push({ type, body: stream.subarray(offset + 4, offset + 4 + length) });
    offset += 4 + length;
  }
  return messages;
}

/** The certificate_list of a TLS 1.2 Certificate message, in the order sent. */
export function certificateList(body: Buffer): Buffer[] {
  const certificates: Buffer[] = [];
  const total = body.readUIntBE(0, 3);
  let offset = 3;
  while (offset + 3 <= Math.min(body.length, total + 3)) {
    const length = body.readUIntBE(offset, 3);
    certificates.push(Buffer.from(body.subarray(offset + 3, offset + 3 + length)));
    offset += 3 + length;
  }
  return certificates;
}

const versionContexts = new Map<string, tls.SecureContext>();

/** With --ca the trust store must be a secure context, and a secure context fixes the versions too. */
function versionContext(options: RunOptions, version: tls.SecureVersion): tls.SecureContext | undefined {
  if (options.ca.length === 0) return undefined;
  const key = `${version}\n${options.ca.join('\n')}`;
  let context = versionContexts.get(key);
  if (!context) {
    context = trustingContext(options.ca, { minVersion: version, maxVersion: version });
    versionContexts.set(key, context);
  }
  return context;
}

/**
 * One handshake whose server bytes are recorded on the way in: the TLS socket runs over a Duplex
 * that forwards to a plain TCP socket, so the Certificate and CertificateStatus messages can be
 * read as sent. Asks for OCSP stapling and offers ALPN h2 and http/1.1.
 */
export function detailHandshake(host: string, port: number, options: RunOptions, signal: AbortSignal, timeoutMs: number, version: 'TLSv1.2' | 'TLSv1.3'): Promise<DetailResult> {
  setMaxListeners(0, signal);
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const raw = net.connect({ host, port });
    const wire = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        raw.write(chunk, callback);
      },
      final(callback) {
        raw.end();
        callback();
      },
    });
    raw.on('data', (chunk: Buffer) => {
      received.push(chunk);
      wire.push(chunk);
    });
    raw.on('end', () => wire.push(null));
    // The raw socket is on net.client.socket; the handshake over it is counted here (no TLS channel).
    raw.once('connect', () => countWire('tls', endpointOf(host, port), { handshakes: 1 }));
    let ocsp: Buffer | undefined;
    const servername = serverName(host);
    const secureContext = versionContext(options, version);
    // requestOCSP is honoured by tls.connect (it builds the TLSSocket with it) though missing from ConnectionOptions' type.
    const socket = tls.connect({
      socket: wire,
      ...(servername ? { servername } : {}),
      ...(secureContext ? { secureContext } : { minVersion: version, maxVersion: version }),
      requestOCSP: true,
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    } as unknown as tls.ConnectionOptions);
    socket.on('OCSPResponse', (response: Buffer | null) => {
      if (response && response.length > 0) ocsp = Buffer.from(response);
    });
    const finish = settleOnce<DetailResult>(resolve, {
      signal,
      timeoutMs,
      timedOut: () => handshakeFailure(host, port, new Error(`no handshake within ${timeoutMs} ms`), 'ETIMEDOUT'),
      aborted: () => handshakeFailure(host, port, new Error('aborted before the handshake finished'), 'ABORT_ERR'),
      cleanup: () => {
        socket.destroy();
        raw.destroy();
      },
    });
    raw.once('error', (error) => finish(handshakeFailure(host, port, error)));
    socket.once('error', (error) => finish(handshakeFailure(host, port, error)));
    socket.once('close', () => finish(handshakeFailure(host, port, new Error('connection closed during the handshake'), 'ECONNRESET')));
    socket.once('secureConnect', () => {
      const peerChain: Buffer[] = [];
      const seen = new Set<string>();
      let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert && cert.raw && !seen.has(cert.fingerprint256) && peerChain.length < 10) {
        seen.add(cert.fingerprint256);
        peerChain.push(Buffer.from(cert.raw));
        cert = cert.issuerCertificate;
      }
      const protocol = socket.getProtocol() ?? 'unknown';
      let sentChain: Buffer[] | undefined;
      let wireUnreadable = false;
      if (protocol !== 'TLSv1.3') {
        try {
          const messages = serverHandshakeMessages(Buffer.concat(received));
          const certificate = messages.find((message) => message.type === MESSAGE_CERTIFICATE);
          if (certificate) sentChain = certificateList(certificate.body);
          const status = messages.find((message) => message.type === MESSAGE_CERTIFICATE_STATUS);
          // CertificateStatus: status_type 1 (ocsp), then a 3-byte length and the response.
          if (!ocsp && status && status.body[0] === 1) ocsp = Buffer.from(status.body.subarray(4));
        } catch {
          // Bytes OpenSSL accepted but this reader cannot follow: the chain stays "not read as sent".
          sentChain = undefined;
          wireUnreadable = true;
        }
      }
      const authorizationError = socket.authorizationError ? String((socket.authorizationError as unknown as { code?: string }).code ?? socket.authorizationError) : undefined;
      finish({
        ok: true,
        host,
        port,
        protocol,
        cipher: socket.getCipher().name,
        ...(sentChain ? { sentChain } : {}),
        ...(wireUnreadable ? { wireUnreadable } : {}),
        peerChain,
        ...(ocsp ? { ocsp } : {}),
        alpn: socket.alpnProtocol ?? false,
        authorized: socket.authorized,
        ...(authorizationError ? { authorizationError } : {}),
      });
    });
  });
}

function endpoint(url: URL): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

/**
 * The extra handshakes wait for the shared normal one: when that got no answer at all (refused
 * connection, silence), every extra contact would only wait out the same timeout on more sockets.
 */
export async function unanswered(ctx: ProbeContext, url: URL): Promise<Extract<TlsResult, { ok: false }> | undefined> {
  const { host, port } = endpoint(url);
  try {
    const main = await tlsFacts(ctx, url);
    return !main.ok && !main.refused ? main : undefined;
  } catch (error) {
    return { ok: false, host, port, error: errorMessage(error), refused: false };
  }
}

/**
 * The run's detail handshake with `url`'s host: TLS 1.2 first (so the chain is readable as sent),
 * TLS 1.3 only when the server refuses 1.2. `handshakes` counts both attempts.
 */
export function tlsDetailFacts(ctx: ProbeContext, url: URL): Promise<DetailResult & { handshakes: number }> {
  const { host, port } = endpoint(url);
  const fact = ctx.facts.once(`tls-detail ${host}:${port}`, async () => {
    const silent = await unanswered(ctx, url);
    if (silent) return { ...silent, handshakes: 0 };
    return ctx.facts.guard(`${host}:${port}`, async () => {
      ctx.facts.countContact('tls', `${host}:${port} detail`);
      const first = await detailHandshake(host, port, ctx.options, ctx.facts.signal, ctx.facts.timeoutMs, 'TLSv1.2');
      if (first.ok || !first.refused) return { ...first, handshakes: 1 };
      ctx.facts.countContact('tls', `${host}:${port} detail-tls1.3`);
      const second = await detailHandshake(host, port, ctx.options, ctx.facts.signal, ctx.facts.timeoutMs, 'TLSv1.3');
      return { ...second, handshakes: 2 };
    });
  });
  return abortable(fact, ctx.signal);
}

/** Every TLS 1.2 suite this OpenSSL can offer, static RSA, anonymous and NULL included. */
export const ALL_TLS12_CIPHERS = 'ALL:COMPLEMENTOFALL';

export interface CipherEnumeration {
  /** OpenSSL names of the suites the server accepted, in the order found. */
  accepted: string[];
  /** The ephemeral key each accepted suite used (DH group size, ECDH curve), by suite name. */
  ephemeral?: Record<string, { type: string; name?: string; size?: number }>;
  /** TLS 1.2 refused outright (first handshake refused). */
  tls12Refused: boolean;
  /** Set when the enumeration stopped on something other than the server's refusal. */
  error?: string;
  handshakes: number;
}

/**
 * Enumerates the server's TLS 1.2 suites the way testssl.sh does: offer everything, note the suite
 * the server picks, offer everything minus the suites found, until the server refuses.
 */
export async function enumerateTls12(host: string, port: number, options: RunOptions, signal: AbortSignal, timeoutMs: number, countContact: (n: number) => void, limit = 80, base = ALL_TLS12_CIPHERS): Promise<CipherEnumeration> {
  const accepted: string[] = [];
  const ephemeral: NonNullable<CipherEnumeration['ephemeral']> = {};
  let handshakes = 0;
  while (handshakes < limit) {
    const ciphers = [base, ...accepted.map((name) => `!${name}`), '@SECLEVEL=0'].join(':');
    const pins: HandshakePins = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers };
    handshakes += 1;
    countContact(handshakes);
    const result = await handshake(host, port, options, signal, timeoutMs, pins);
    if (result.ok) {
      if (accepted.includes(result.cipher.name)) return { accepted, ephemeral, tls12Refused: false, error: `the server chose ${result.cipher.name} though it was not offered`, handshakes };
      accepted.push(result.cipher.name);
      if (result.ephemeral) ephemeral[result.cipher.name] = result.ephemeral;
      continue;
    }
    // Nothing left to offer: every suite this OpenSSL knows was accepted.
    if (result.code === 'ERR_SSL_NO_CIPHER_MATCH') return { accepted, ephemeral, tls12Refused: false, handshakes: handshakes - 1 };
    if (result.refused) return { accepted, ephemeral, tls12Refused: accepted.length === 0, handshakes };
    return { accepted, ephemeral, tls12Refused: false, error: result.error, handshakes };
  }
  return { accepted, ephemeral, tls12Refused: false, error: `stopped after ${limit} handshakes`, handshakes };
}

/**
 * The suites split by key exchange, enumerated side by side: each group costs its accepted suites
 * plus one refusal, and the wall time is the largest group's, not the sum (a far server at 200 ms
 * per handshake would otherwise need seconds for twenty suites).
 */
export const CIPHER_GROUPS: Record<string, string> = {
  ecdhe: 'kECDHE:kECDHEPSK',
  dhe: 'kDHE:kDHEPSK',
  rsa: 'kRSA:kRSAPSK',
  other: `${ALL_TLS12_CIPHERS}:!kECDHE:!kECDHEPSK:!kDHE:!kDHEPSK:!kRSA:!kRSAPSK`,
};

export function mergeEnumerations(parts: readonly CipherEnumeration[]): CipherEnumeration {
  const accepted = parts.flatMap((part) => part.accepted);
  const error = parts.find((part) => part.error)?.error;
  return {
    accepted,
    ephemeral: Object.assign({}, ...parts.map((part) => part.ephemeral ?? {})) as NonNullable<CipherEnumeration['ephemeral']>,
    tls12Refused: accepted.length === 0 && parts.some((part) => part.tls12Refused) && !error,
    ...(error ? { error } : {}),
    handshakes: parts.reduce((sum, part) => sum + part.handshakes, 0),
  };
}

export function cipherFacts(ctx: ProbeContext, url: URL): Promise<CipherEnumeration> {
  const { host, port } = endpoint(url);
  const fact = ctx.facts.once(`tls-ciphers ${host}:${port}`, async () => {
    const silent = await unanswered(ctx, url);
    if (silent) return { accepted: [], tls12Refused: false, error: silent.error, handshakes: 0 };
    return ctx.facts.guard(`${host}:${port}`, async () =>
      mergeEnumerations(
        await Promise.all(
          Object.entries(CIPHER_GROUPS).map(([group, base]) =>
            enumerateTls12(host, port, ctx.options, ctx.facts.signal, ctx.facts.timeoutMs, (n) => ctx.facts.countContact('tls', `${host}:${port} tls1.2-suite-${group}-${n}`), 80, base),
          ),
        ),
      ),
    );
  });
  return abortable(fact, ctx.signal);
}

/** SSLv3 suites a server that still speaks it would pick from (RSA, DHE, 3DES, RC4) and the renegotiation SCSV. */
const SSL3_SUITES = [0x0035, 0x002f, 0x0039, 0x0033, 0x000a, 0x0016, 0x0005, 0x0004, 0x00ff];

export function sslv3ClientHello(): Buffer {
  const suites = Buffer.alloc(SSL3_SUITES.length * 2);
  SSL3_SUITES.forEach((suite, index) => suites.writeUInt16BE(suite, index * 2));
  const body = Buffer.concat([Buffer.from([3, 0]), randomBytes(32), Buffer.from([0]), Buffer.from([suites.length >> 8, suites.length & 0xff]), suites, Buffer.from([1, 0])]);
  const handshakeMessage = Buffer.concat([Buffer.from([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([RECORD_HANDSHAKE, 3, 0, handshakeMessage.length >> 8, handshakeMessage.length & 0xff]), handshakeMessage]);
}

export type Sslv3Result = { accepted: true } | { accepted: false; refused: true; how: string } | { accepted: false; refused: false; error: string };

/** Reads the server's first record after an SSLv3 ClientHello: a ServerHello with version 3.0 is acceptance. */
export function judgeSslv3Reply(bytes: Buffer): Sslv3Result | undefined {
  if (bytes.length < 5) return undefined;
  const type = bytes[0];
  if (type === 21) return { accepted: false, refused: true, how: `alert ${bytes[6] ?? '?'}` };
  if (type !== RECORD_HANDSHAKE) return { accepted: false, refused: true, how: `record type ${type}` };
  if (bytes.length < 11) return undefined;
  if (bytes[5] !== 2) return { accepted: false, refused: true, how: `handshake message ${bytes[5]}` };
  return bytes[9] === 3 && bytes[10] === 0 ? { accepted: true } : { accepted: false, refused: true, how: `answered version ${bytes[9]}.${bytes[10]}` };
}

export function sslv3Probe(host: string, port: number, signal: AbortSignal, timeoutMs: number): Promise<Sslv3Result> {
  return new Promise((resolve) => {
    let bytes = Buffer.alloc(0);
    const socket = net.connect({ host, port });
    const finish = settleOnce<Sslv3Result>(resolve, {
      signal,
      timeoutMs,
      timedOut: () => ({ accepted: false, refused: false, error: `no answer within ${timeoutMs} ms` }),
      aborted: () => ({ accepted: false, refused: false, error: 'aborted' }),
      cleanup: () => socket.destroy(),
    });
    socket.once('connect', () => {
      countWire('tls', endpointOf(host, port), { handshakes: 1 });
      socket.write(sslv3ClientHello());
    });
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      const judged = judgeSslv3Reply(bytes);
      if (judged) finish(judged);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (bytes.length > 0 || error.code === 'ECONNRESET') finish({ accepted: false, refused: true, how: 'connection reset' });
      else finish({ accepted: false, refused: false, error: errorMessage(error) });
    });
    socket.once('close', () => finish({ accepted: false, refused: true, how: 'connection closed' }));
  });
}

export function sslv3Facts(ctx: ProbeContext, url: URL): Promise<Sslv3Result> {
  const { host, port } = endpoint(url);
  const fact = ctx.facts.once(`tls-sslv3 ${host}:${port}`, async (): Promise<Sslv3Result> => {
    const silent = await unanswered(ctx, url);
    if (silent) return { accepted: false, refused: false, error: silent.error };
    return ctx.facts.guard(`${host}:${port}`, () => {
      ctx.facts.countContact('tls', `${host}:${port} SSLv3`);
      return sslv3Probe(host, port, ctx.facts.signal, ctx.facts.timeoutMs);
    });
  });
  return abortable(fact, ctx.signal);
}
