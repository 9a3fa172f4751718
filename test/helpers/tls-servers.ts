import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type tls from 'node:tls';
import { promisify } from 'node:util';
import type { KeyPair } from '../../src/standins/certs.js';

const run = promisify(execFile);

export interface TlsServerOptions {
  key: string;
  /** Leaf first, then whatever chain the server should send, in that order. */
  certs: string[];
  /** DER OCSP response stapled on every handshake that asks for one. */
  ocsp?: Buffer;
  alpn?: string[];
  handshake?: Pick<tls.TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'dhparam'>;
  handler?: http.RequestListener;
}

/** Real HTTPS servers on 127.0.0.1 with a chosen chain, stapling and ALPN; `closeAll` in afterAll. */
export class TlsServers {
  private readonly servers: https.Server[] = [];

  async start(options: TlsServerOptions): Promise<string> {
    const server = https.createServer(
      { key: options.key, cert: options.certs.join('\n'), ...(options.alpn ? { ALPNProtocols: options.alpn } : {}), ...options.handshake },
      options.handler ?? ((_req, res) => res.end('ok')),
    );
    server.on('tlsClientError', () => undefined);
    if (options.ocsp) {
      const response = options.ocsp;
      server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, callback: (error: Error | null, response?: Buffer) => void) => callback(null, response));
    }
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  async closeAll(): Promise<void> {
    await Promise.all(
      this.servers.splice(0).map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }
}

function opensslDate(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

/**
 * A real OCSP response from `openssl ocsp` acting as the CA's responder (index file, request,
 * signed response), for `leaf` as issued by `issuer`.
 */
export async function ocspResponse(issuer: KeyPair, leaf: KeyPair, status: 'good' | 'revoked', ndays = 1): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'bazaarhub-ocsp-'));
  try {
    const serial = new X509Certificate(leaf.cert).serialNumber.toUpperCase();
    const expiry = opensslDate(new Date(Date.now() + 365 * 86_400_000));
    const revoked = status === 'revoked' ? opensslDate(new Date(Date.now() - 86_400_000)) : '';
    await writeFile(join(dir, 'index.txt'), `${status === 'revoked' ? 'R' : 'V'}\t${expiry}\t${revoked}\t${serial}\tunknown\t/CN=leaf\n`);
    await writeFile(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
    await writeFile(join(dir, 'ca.pem'), issuer.cert);
    await writeFile(join(dir, 'ca.key'), issuer.key);
    await writeFile(join(dir, 'leaf.pem'), leaf.cert);
    await run('openssl', ['ocsp', '-issuer', join(dir, 'ca.pem'), '-cert', join(dir, 'leaf.pem'), '-no_nonce', '-reqout', join(dir, 'req.der')]);
    await run('openssl', ['ocsp', '-index', join(dir, 'index.txt'), '-rsigner', join(dir, 'ca.pem'), '-rkey', join(dir, 'ca.key'), '-CA', join(dir, 'ca.pem'), '-reqin', join(dir, 'req.der'), '-respout', join(dir, 'resp.der'), '-ndays', String(ndays)]);
    return await readFile(join(dir, 'resp.der'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
