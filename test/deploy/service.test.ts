import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deployed from '../../checks/deploy/service.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { goodProfile, type RunningService } from '../../src/standins/web.js';
import { runCli, withTempDir } from '../helpers/cli.js';
import { Servers, runProbe } from '../helpers/servers.js';

const servers = new Servers();
let ca: KeyPair;
let api: RunningService;
let storefront: RunningService;
/** nginx in front of a stopped upstream: 502 for everything. */
let badGateway: string;
/** nginx's default server for a host it has no server block for: 404. */
let noRoute: string;
/** A front end behind HTTP Basic auth. */
let guarded: string;
/** A front end that sends visitors to its login page. */
let toLogin: string;
let closed: number;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  const leaf = await issueCertificate(ca);
  api = await servers.service('api', goodProfile('api'), leaf);
  storefront = await servers.service('storefront', goodProfile('html'), leaf);
  badGateway = await servers.http((_req, res) => {
    res.writeHead(502, { server: 'nginx', 'content-type': 'text/html' });
    res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
  });
  noRoute = await servers.http((_req, res) => {
    res.writeHead(404, { server: 'nginx', 'content-type': 'text/html' });
    res.end('<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center></body></html>');
  });
  guarded = await servers.http((_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="admin"' });
    res.end();
  });
  toLogin = await servers.http((req, res) => {
    if (req.url === '/login') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Vendor login</title><form method="post"></form>');
      return;
    }
    res.writeHead(307, { location: '/login' });
    res.end();
  });
  closed = await servers.closedPort();
});
afterAll(() => servers.closeAll());

const options = () => ({ ca: [ca.cert] });

describe('deploy.service', () => {
  it('passes for services that answer on their route: the API on /api/products, front ends on /, a same-origin login redirect followed', async () => {
    const finding = await runProbe(deployed, { APP_URL: api.url, STOREFRONT_URL: storefront.url, VENDOR_PANEL_URL: toLogin }, { services: ['api', 'storefront', 'vendor-panel'] }, options());
    expect(finding.status).toBe('pass');
    const observed = Object.fromEntries(finding.details!.map((detail) => [detail.subject, detail.observed]));
    expect(observed.api).toMatch(new RegExp(`^${api.url}api/products answered 200 in \\d+ ms`));
    expect(observed.storefront).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/ answered 200/);
    expect(observed['vendor-panel']).toMatch(new RegExp(`^${toLogin} → ${toLogin}login answered 200`));
  });

  it('warns when it cannot see the service itself: an auth challenge the proxy may send alone, a redirect to another origin', async () => {
    const finding = await runProbe(deployed, { VENDOR_PANEL_URL: storefront.httpUrl as string, ADMIN_PANEL_URL: guarded }, { services: ['vendor-panel', 'admin-panel'] }, options());
    expect(finding.status).toBe('warn');
    const observed = Object.fromEntries(finding.details!.map((detail) => [detail.subject, detail.observed]));
    expect(observed['vendor-panel']).toMatch(/answered 301 to https:\/\/127\.0\.0\.1:\d+\/ in \d+ ms, a redirect not followed/);
    expect(observed['admin-panel']).toMatch(/answered 401 in \d+ ms: something answers behind authentication, but it may be the proxy alone/);
  });

  it('fails for a 502 behind the proxy, a 404 route, a refused connection and an unset URL', async () => {
    const finding = await runProbe(deployed, { APP_URL: badGateway, STOREFRONT_URL: noRoute, VENDOR_PANEL_URL: `http://127.0.0.1:${closed}/` }, {}, options());
    expect(finding.status).toBe('fail');
    const byService = Object.fromEntries(finding.details!.map((detail) => [detail.subject, detail]));
    expect(byService.api).toMatchObject({ status: 'fail', observed: expect.stringMatching(/api\/products answered 502 in \d+ ms: nothing healthy behind the URL/) });
    expect(byService.storefront).toMatchObject({ status: 'fail', observed: expect.stringMatching(/answered 404 .*: the route is not served/) });
    expect(byService['vendor-panel']).toMatchObject({ status: 'fail', observed: expect.stringMatching(/^no answer from http:\/\/127\.0\.0\.1:\d+\/: /) });
    expect(byService['admin-panel']).toEqual({ subject: 'admin-panel', status: 'fail', observed: 'no public URL: ADMIN_PANEL_URL is not set' });
    expect(finding.remediation).toMatch(/Deploy the service/);
  });

  it('checks only the named services, on the route given', async () => {
    const one = await runProbe(deployed, { APP_URL: api.url, STOREFRONT_URL: noRoute }, { services: ['api'] }, options());
    expect(one.status).toBe('pass');
    expect(one.details).toHaveLength(1);
    const wrongRoute = await runProbe(deployed, { APP_URL: api.url }, { services: ['api'], paths: { api: '/api/does-not-exist' } }, options());
    expect(wrongRoute.status).toBe('fail');
    expect(() => deployed.params.parse({ services: ['backend'] })).toThrow();
    expect((await runProbe(deployed, {})).status).toBe('skipped');
  });

  it('the catalog\'s deploy items through the binary: each names its own service', async () => {
    await withTempDir(async (dir) => {
      const envFile = join(dir, '.env.production');
      const caFile = join(dir, 'ca.pem');
      await writeFile(caFile, ca.cert);
      await writeFile(envFile, `NODE_ENV=production\nAPP_URL=${api.url}\nSTOREFRONT_URL=${storefront.url}\nVENDOR_PANEL_URL=${badGateway}\nADMIN_PANEL_URL=${guarded}\n`);
      const result = await runCli(['run', '--env-file', envFile, '--ca', caFile, '--only', 'deploy.service', '--no-manual', '--fail-on', 'medium', '--format', 'json']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { results: Array<{ id: string; status: string; observed: string }> };
      const status = Object.fromEntries(report.results.map((entry) => [entry.id, entry.status]));
      expect(status).toEqual({
        'deployment.deployment-steps.deploy-backend-service': 'pass',
        'deployment.deployment-steps.deploy-storefront-service': 'pass',
        'deployment.deployment-steps.deploy-vendor-panel-service': 'fail',
        'deployment.deployment-steps.deploy-admin-panel-service': 'warn',
        'deployment.deployment-steps.deploy-nginx-reverse-proxy': 'fail',
      });
    });
  });
});
