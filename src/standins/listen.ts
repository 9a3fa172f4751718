import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** `http://127.0.0.1:<port>` or `https://...` when a key pair was given. */
  url: string;
  close(): Promise<void>;
}

/** Serves `handler` over HTTP (or HTTPS with `tls`) on 127.0.0.1 at a random port; `close` also drops kept-alive connections. */
export async function listenLocal(handler: RequestListener, tls?: { key: string; cert: string }): Promise<LocalServer> {
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
