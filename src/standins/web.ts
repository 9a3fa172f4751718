import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type tls from 'node:tls';
import zlib from 'node:zlib';
import type { RunningStandIn, StandIn, StandInContext } from '../demo/standin.js';
import type { KeyPair } from './certs.js';

/**
 * The demo's stand-in for BazaarHub's public edge: the API and the three Next.js front ends, each an
 * HTTPS server on 127.0.0.1 (random port) behind its own plain-http listener. Each service follows
 * a profile, so the demo shows a realistic mix (a well-run storefront, a vendor panel that gets
 * most things wrong, an API leaking its nginx version) and the tests reuse the same server for
 * their header-right and header-wrong cases.
 */
export interface ServiceProfile {
  kind: 'api' | 'html';
  /** Strict-Transport-Security value, or undefined to omit it. */
  hsts?: string;
  /** X-Content-Type-Options, X-Frame-Options and a Content-Security-Policy. */
  securityHeaders: boolean;
  poweredBy?: string;
  server?: string;
  /** Set-Cookie lines on the service's root response. */
  cookies: string[];
  compress: boolean;
  /** Cache-Control of the root document / API response. */
  documentCache?: string;
  /** Cache-Control of /_next/static assets. */
  assetCache?: string;
  /** `wildcard`: BazaarHub's `app.use(cors())`, `Access-Control-Allow-Origin: *` to every origin. */
  cors: 'whitelist' | 'reflect' | 'none' | 'wildcard' | 'wildcard-credentials';
  allowedOrigins: string[];
  /** Attempts of POST /api/auth/login per minute before 429; undefined: no limit. */
  loginLimit?: number;
  waf: 'all' | 'partial' | 'none';
  /** Body of GET /health (api only), its status, and how long it takes (BazaarHub's waits for Elasticsearch). */
  health?: { status: number; body: unknown; delayMs?: number };
  /** API only: serve BazaarHub's read routes GET /api/products (a large JSON list) and /api/categories; `none`: they answer 404. */
  apiRoutes?: 'bazaarhub' | 'none';
  /** API only: `express-404` answers GET / (and every unknown path) with Express's own 404 page, as BazaarHub does. */
  root?: 'index' | 'express-404';
  plainHttp: 301 | 302 | 'serve' | 'none';
  /** Handshake settings, e.g. TLS 1.0 allowed. */
  tls?: Pick<tls.TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers'>;
  /** Delay of GET /slow in milliseconds. */
  slowMs?: number;
  /** Serve HTTP/2 (ALPN h2) beside HTTP/1.1, as nginx with `http2 on` does. */
  http2?: boolean;
}

export interface RunningService {
  url: string;
  httpUrl?: string;
  origin: string;
  close(): Promise<void>;
}

/** Mozilla's "intermediate" TLS 1.2 cipher list: ECDHE with AES-GCM or ChaCha20 only (Node's default also allows static RSA). */
export const MODERN_CIPHERS = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';

const FILLER = 'BazaarHub connects India\'s independent vendors with shoppers across the country. '.repeat(40);

function page(name: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>BazaarHub ${name}</title>
<link rel="stylesheet" href="/_next/static/css/app-3f9a1c.css">
<script src="/_next/static/chunks/main-8b2e4d.js" defer></script>
</head><body><h1>BazaarHub ${name}</h1><p>${FILLER}</p></body></html>`;
}

const ASSETS: Record<string, { type: string; body: string }> = {
  '/_next/static/css/app-3f9a1c.css': { type: 'text/css; charset=utf-8', body: `body{font-family:system-ui;margin:0}\n${'.product-card{display:grid;gap:8px;padding:12px}\n'.repeat(60)}` },
  '/_next/static/chunks/main-8b2e4d.js': { type: 'application/javascript; charset=utf-8', body: `(()=>{${'window.__bazaarhub=(window.__bazaarhub||0)+1;'.repeat(80)}})();` },
};

/** BazaarHub's GET /api/products: a list large enough to be worth compressing (about 9 KB). */
const PRODUCTS = Array.from({ length: 40 }, (_, i) => ({
  id: `prod_${String(i + 1).padStart(4, '0')}`,
  name: `Handwoven cotton saree ${i + 1}`,
  vendorId: `vendor_${(i % 7) + 1}`,
  priceInPaise: 129_900 + i * 1_000,
  category: ['sarees', 'home-decor', 'jewellery', 'spices'][i % 4],
  description: 'Handloom cotton from independent weavers in Bengal, dyed with natural colours.',
}));
const CATEGORIES = ['sarees', 'home-decor', 'jewellery', 'spices'].map((slug, i) => ({ id: i + 1, slug }));

/**
 * Express's finalhandler 404: the one response of BazaarHub's API that carries a CSP and nosniff
 * (set by finalhandler itself, not by the application), with a 139-byte-ish body.
 */
function expressNotFound(res: http.ServerResponse, method: string, path: string, base: Record<string, string | string[]>): void {
  const body = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${method} ${path}</pre>\n</body>\n</html>\n`;
  res.writeHead(404, {
    ...base,
    'content-security-policy': "default-src 'none'",
    'x-content-type-options': 'nosniff',
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/** BazaarHub's real /health body: `database` is a fixed placeholder, Elasticsearch is really asked. */
export function bazaarhubHealthBody(elasticsearch: 'healthy' | 'unhealthy' = 'unhealthy'): Record<string, unknown> {
  return { status: 'ok', services: { redis: 'healthy', elasticsearch, database: 'checking...' }, timestamp: new Date(0).toISOString() };
}

/**
 * BazaarHub's backend as it really answers (see /work/shared/BAZAARHUB_ENV.md): `cors()` with `*`,
 * `X-Powered-By: Express`, no compression, no rate limit, Express's 404 page on `/`, and a /health
 * that waits for Elasticsearch and reports the database as "checking...".
 */
export function bazaarhubApiProfile(healthDelayMs = 0): ServiceProfile {
  return {
    kind: 'api',
    securityHeaders: false,
    poweredBy: 'Express',
    cookies: [],
    compress: false,
    cors: 'wildcard',
    allowedOrigins: [],
    waf: 'none',
    plainHttp: 'serve',
    root: 'express-404',
    apiRoutes: 'bazaarhub',
    health: { status: 200, body: bazaarhubHealthBody(), delayMs: healthDelayMs },
  };
}

const ATTACK: Record<'script' | 'sql' | 'traversal', RegExp> = {
  script: /<\s*script/i,
  sql: /'\s*or\s*'?\d+'?\s*=\s*'?\d+/i,
  traversal: /\.\.[\\/]/,
};

function blockedByWaf(profile: ServiceProfile, query: string): boolean {
  if (profile.waf === 'none') return false;
  let decoded = query;
  try {
    decoded = decodeURIComponent(query.replace(/\+/g, ' '));
  } catch {
    // keep raw
  }
  const rules = profile.waf === 'all' ? (['script', 'sql', 'traversal'] as const) : (['script', 'sql'] as const);
  return rules.some((rule) => ATTACK[rule].test(decoded));
}

function corsHeaders(profile: ServiceProfile, origin: string | undefined): Record<string, string> {
  if (!origin || profile.cors === 'none') return {};
  if (profile.cors === 'wildcard') return { 'access-control-allow-origin': '*' };
  if (profile.cors === 'wildcard-credentials') return { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' };
  if (profile.cors === 'reflect' || profile.allowedOrigins.includes(origin)) {
    return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
  }
  return { vary: 'Origin' };
}

/** The request handler of one service, shared by the HTTPS server and the 'serve' plain listener. */
export function serviceHandler(name: string, profile: ServiceProfile): http.RequestListener {
  const attempts: number[] = [];
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'https://service.invalid');
    const origin = req.headers.origin;
    const headers: Record<string, string | string[]> = { ...corsHeaders(profile, origin) };
    if (profile.server) headers.server = profile.server;
    if (profile.poweredBy) headers['x-powered-by'] = profile.poweredBy;
    if (profile.hsts) headers['strict-transport-security'] = profile.hsts;
    if (profile.securityHeaders) {
      headers['x-content-type-options'] = 'nosniff';
      headers['x-frame-options'] = 'DENY';
      headers['content-security-policy'] = profile.kind === 'api' ? "default-src 'none'; frame-ancestors 'none'" : "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
      headers['referrer-policy'] = 'strict-origin-when-cross-origin';
      headers['permissions-policy'] = 'camera=(), microphone=(), geolocation=()';
      headers['cross-origin-resource-policy'] = 'same-origin';
      if (profile.kind === 'html') headers['cross-origin-opener-policy'] = 'same-origin';
    }
    const reply = (status: number, type: string, body: string, extra: Record<string, string | string[]> = {}) => {
      const all: Record<string, string | string[]> = { ...headers, 'content-type': type, ...extra };
      let payload: Buffer = Buffer.from(body);
      if (profile.compress && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && payload.length >= 256) {
        payload = zlib.gzipSync(payload);
        all['content-encoding'] = 'gzip';
        all.vary = all.vary ? `${all.vary}, Accept-Encoding` : 'Accept-Encoding';
      }
      res.writeHead(status, { ...all, 'content-length': String(payload.length) });
      res.end(req.method === 'HEAD' ? undefined : payload);
    };

    if (blockedByWaf(profile, url.search.slice(1))) return reply(403, 'text/html', '<h1>403 Forbidden</h1><p>Request blocked by the web application firewall.</p>');
    if (req.method === 'OPTIONS') {
      const allowed = corsHeaders(profile, origin)['access-control-allow-origin'];
      return reply(204, 'text/plain', '', allowed ? { 'access-control-allow-methods': 'GET, POST, PUT, DELETE', 'access-control-allow-headers': 'content-type, authorization', 'access-control-max-age': '600' } : {});
    }
    if (url.pathname === '/slow') {
      setTimeout(() => reply(200, 'application/json', '{"slow":true}', { 'cache-control': 'no-store' }), profile.slowMs ?? 2500).unref();
      return;
    }
    if (url.pathname === '/error') return reply(500, 'application/json', '{"error":"internal"}', { 'cache-control': 'no-store' });
    if (url.pathname === '/api/auth/login' && req.method === 'POST') {
      req.resume();
      const now = Date.now();
      while (attempts.length > 0 && (attempts[0] as number) < now - 60_000) attempts.shift();
      attempts.push(now);
      if (profile.loginLimit !== undefined && attempts.length > profile.loginLimit) {
        return reply(429, 'application/json', '{"error":"too many login attempts"}', { 'retry-after': '60', 'ratelimit-limit': String(profile.loginLimit), 'ratelimit-remaining': '0' });
      }
      return reply(401, 'application/json', '{"error":"invalid credentials"}', { 'cache-control': 'no-store' });
    }
    if (url.pathname === '/health' && profile.health) {
      const { status, body, delayMs = 0 } = profile.health;
      const answer = () => reply(status, 'application/json', JSON.stringify(body), { 'cache-control': 'no-store' });
      if (delayMs > 0) setTimeout(answer, delayMs).unref();
      else answer();
      return;
    }
    if (profile.kind === 'api' && (profile.apiRoutes ?? 'bazaarhub') === 'bazaarhub' && req.method === 'GET') {
      if (url.pathname === '/api/products') return reply(200, 'application/json; charset=utf-8', JSON.stringify({ products: PRODUCTS, total: PRODUCTS.length }), { 'cache-control': 'no-store' });
      if (url.pathname === '/api/categories') return reply(200, 'application/json; charset=utf-8', JSON.stringify({ categories: CATEGORIES }), { 'cache-control': 'no-store' });
    }
    if (profile.kind === 'api' && profile.root === 'express-404' && !ASSETS[url.pathname]) return expressNotFound(res, req.method ?? 'GET', url.pathname, headers);
    const asset = ASSETS[url.pathname];
    if (asset) return reply(200, asset.type, asset.body, profile.assetCache ? { 'cache-control': profile.assetCache } : {});
    if (url.pathname !== '/') return reply(404, 'application/json', '{"error":"not found"}');
    const extra: Record<string, string | string[]> = {};
    if (profile.documentCache) extra['cache-control'] = profile.documentCache;
    if (profile.cookies.length > 0) extra['set-cookie'] = profile.cookies;
    if (profile.kind === 'api') {
      const routes = ['/api/products', '/api/vendors', '/api/orders', '/api/auth/login', '/api/kyc', '/api/payouts', '/health'];
      return reply(200, 'application/json; charset=utf-8', JSON.stringify({ name: 'bazaarhub-api', routes, description: FILLER.slice(0, 1200) }), extra);
    }
    return reply(200, 'text/html; charset=utf-8', page(name), extra);
  };
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** HTTP/2 with HTTP/1.1 fallback on one TLS port; closeAllConnections destroys its sessions and sockets too. */
function http2Server(certificate: KeyPair, profile: ServiceProfile, handler: http.RequestListener): http.Server {
  const server = http2.createSecureServer({ key: certificate.key, cert: certificate.cert, allowHTTP1: true, ...profile.tls }, handler as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  const sockets = new Set<{ destroy(): void }>();
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return Object.assign(server, { closeAllConnections: () => sockets.forEach((socket) => socket.destroy()) }) as unknown as http.Server;
}

function shut(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Starts one service (HTTPS plus its plain-http listener) on 127.0.0.1 random ports. */
export async function startService(name: string, profile: ServiceProfile, certificate: KeyPair): Promise<RunningService> {
  const handler = serviceHandler(name, profile);
  const secure = profile.http2 ? http2Server(certificate, profile, handler) : https.createServer({ key: certificate.key, cert: certificate.cert, ...profile.tls }, handler);
  // Handshake failures (our tls.protocols probe's refused TLS 1.0 attempts) are expected noise.
  secure.on('tlsClientError', () => undefined);
  const port = await listen(secure);
  const origin = `https://127.0.0.1:${port}`;
  const servers: http.Server[] = [secure];
  let httpUrl: string | undefined;
  if (profile.plainHttp !== 'none') {
    const redirect = profile.plainHttp;
    const plain = http.createServer(
      redirect === 'serve'
        ? handler
        : (req, res) => {
            res.writeHead(redirect, { location: `${origin}${req.url ?? '/'}`, 'content-type': 'text/html', ...(profile.server ? { server: profile.server } : {}) });
            res.end('<a href="https://">moved</a>');
          },
    );
    httpUrl = `http://127.0.0.1:${await listen(plain)}/`;
    servers.push(plain);
  }
  return { url: `${origin}/`, origin, ...(httpUrl ? { httpUrl } : {}), close: async () => void (await Promise.all(servers.map(shut))) };
}

/** A profile that gets every edge check right; tests and the demo derive the wrong ones from it. */
export function goodProfile(kind: ServiceProfile['kind'], allowedOrigins: string[] = []): ServiceProfile {
  return {
    kind,
    hsts: 'max-age=63072000; includeSubDomains; preload',
    securityHeaders: true,
    server: 'nginx',
    cookies: kind === 'html' ? ['bh_session=demo-session; Path=/; Secure; HttpOnly; SameSite=Lax'] : [],
    compress: true,
    documentCache: 'no-store',
    assetCache: 'public, max-age=31536000, immutable',
    cors: kind === 'api' ? 'whitelist' : 'none',
    allowedOrigins,
    waf: 'all',
    plainHttp: 301,
    tls: { minVersion: 'TLSv1.2', ciphers: MODERN_CIPHERS },
    http2: kind === 'html',
    ...(kind === 'api' ? { loginLimit: 10, health: { status: 200, body: { status: 'ok', dependencies: { database: { status: 'up' }, redis: { status: 'up' }, elasticsearch: { status: 'up' } } } } } : {}),
  };
}

type Name = 'api' | 'storefront' | 'vendor-panel' | 'admin-panel';

/** The demo's mix: a sound storefront, an API leaking its nginx version, a careless vendor panel, an admin panel with warnings. */
export function demoProfiles(origins: Record<Exclude<Name, 'api'>, string>): Record<Name, ServiceProfile> {
  const allowed = Object.values(origins);
  return {
    api: {
      ...goodProfile('api', allowed),
      server: 'nginx/1.24.0',
      health: { status: 200, body: { status: 'ok', uptime: 86_400, dependencies: { database: 'connected', redis: 'connected', elasticsearch: 'degraded' } } },
    },
    storefront: goodProfile('html'),
    'vendor-panel': {
      ...goodProfile('html'),
      hsts: undefined,
      securityHeaders: false,
      poweredBy: 'Next.js',
      cookies: ['vendor_session=demo-vendor; Path=/', 'theme=light; Path=/; Secure; SameSite=Lax'],
      compress: false,
      cors: 'reflect',
      plainHttp: 'serve',
      tls: { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      http2: false,
    },
    'admin-panel': { ...goodProfile('html'), hsts: 'max-age=17280000', documentCache: 'public, max-age=300', cookies: [], plainHttp: 302 },
  };
}

/** Reserves the four https ports first, so the CORS whitelist can name the front ends' origins. */
async function startDemo(context: StandInContext): Promise<RunningStandIn> {
  const certificate = await context.issueCertificate({ daysValid: 200 });
  const adminCertificate = await context.issueCertificate({ daysValid: 20 });
  const started: Partial<Record<Name, RunningService>> = {};
  const closeAll = async () => void (await Promise.all(Object.values(started).map((service) => service?.close())));
  try {
    // Front ends first (their profiles do not depend on the origins), then the API with the whitelist.
    const base = demoProfiles({ storefront: '', 'vendor-panel': '', 'admin-panel': '' });
    for (const name of ['storefront', 'vendor-panel', 'admin-panel'] as const) {
      started[name] = await startService(name, base[name], name === 'admin-panel' ? adminCertificate : certificate);
    }
    const origins = { storefront: started.storefront!.origin, 'vendor-panel': started['vendor-panel']!.origin, 'admin-panel': started['admin-panel']!.origin };
    started.api = await startService('api', demoProfiles(origins).api, certificate);
    const env: Record<string, string> = {
      APP_URL: started.api.url,
      STOREFRONT_URL: started.storefront!.url,
      VENDOR_PANEL_URL: started['vendor-panel']!.url,
      ADMIN_PANEL_URL: started['admin-panel']!.url,
      CORS_ORIGIN: Object.values(origins).join(','),
    };
    const httpVariables: Record<Name, string> = { api: 'APP_HTTP_URL', storefront: 'STOREFRONT_HTTP_URL', 'vendor-panel': 'VENDOR_PANEL_HTTP_URL', 'admin-panel': 'ADMIN_PANEL_HTTP_URL' };
    for (const [name, variable] of Object.entries(httpVariables) as Array<[Name, string]>) {
      const httpUrl = started[name]?.httpUrl;
      if (httpUrl) env[variable] = httpUrl;
    }
    return { name: 'web', env, note: '4 HTTPS services on 127.0.0.1 (API, storefront, vendor panel, admin panel) with plain-http listeners', close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

export const webStandIn: StandIn = { name: 'web', start: startDemo };
export default webStandIn;
