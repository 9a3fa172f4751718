import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type tls from 'node:tls';
import type { Probe, ProbeContext, RunOptions } from '../../src/engine/types.js';
import type { KeyPair } from '../../src/standins/certs.js';
import { startService, type RunningService, type ServiceProfile } from '../../src/standins/web.js';
import { makeContext } from './context.js';

/** Real servers on 127.0.0.1 (random ports) for one test file; `closeAll` in afterAll. */
export class Servers {
  private readonly closers: Array<() => Promise<void>> = [];

  /** A bare HTTPS server answering 200 "ok", with the given certificate and handshake settings. */
  async https(certificate: KeyPair, options: Pick<tls.TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers'> = {}, handler?: http.RequestListener): Promise<string> {
    const server = https.createServer({ key: certificate.key, cert: certificate.cert, ...options }, handler ?? ((_req, res) => res.end('ok')));
    server.on('tlsClientError', () => undefined);
    return `https://127.0.0.1:${await this.listen(server)}/`;
  }

  async http(handler: http.RequestListener): Promise<string> {
    return `http://127.0.0.1:${await this.listen(http.createServer(handler))}/`;
  }

  async service(name: string, profile: ServiceProfile, certificate: KeyPair): Promise<RunningService> {
    const service = await startService(name, profile, certificate);
    this.closers.push(service.close);
    return service;
  }

  /** A port that was just free: connections to it are refused. */
  async closedPort(): Promise<number> {
    const server = http.createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  private listen(server: http.Server): Promise<number> {
    this.closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.closers.splice(0).map((close) => close()));
  }
}

/** Runs `probe` with default params (plus `params`) in a fresh real context; closes the fact store. */
export async function runProbe(probe: Probe, env: Record<string, string>, params: Record<string, unknown> = {}, options: Partial<RunOptions> = {}): Promise<Awaited<ReturnType<Probe['run']>> & { ctx: ProbeContext }> {
  const ctx = makeContext(env, options);
  try {
    const finding = await probe.run(ctx, probe.params.parse(params));
    return { ...finding, ctx };
  } finally {
    await ctx.close();
  }
}
