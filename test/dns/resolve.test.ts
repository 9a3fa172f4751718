import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import resolve, { hostsToCheck } from '../../checks/dns/resolve.js';
import { startDnsServer, type RunningDns } from '../../src/standins/dns.js';
import { runProbe } from '../helpers/servers.js';

const SERVICES = {
  APP_URL: 'https://api.bazaarhub.test',
  STOREFRONT_URL: 'https://www.bazaarhub.test',
  VENDOR_PANEL_URL: 'https://vendors.bazaarhub.test',
  ADMIN_PANEL_URL: 'https://admin.bazaarhub.test:8443',
};

const ZONE = {
  'api.bazaarhub.test': { A: ['203.0.113.10'], AAAA: ['2001:db8::10'] },
  'www.bazaarhub.test': { CNAME: 'edge.cdn.bazaarhub.test' },
  'edge.cdn.bazaarhub.test': { A: ['203.0.113.20', '203.0.113.21'] },
  'vendors.bazaarhub.test': { A: ['203.0.113.30'] },
  'admin.bazaarhub.test': { A: ['203.0.113.40'] },
};

let primary: RunningDns;
let secondary: RunningDns;
let stale: RunningDns;

beforeAll(async () => {
  primary = await startDnsServer(ZONE);
  secondary = await startDnsServer(ZONE);
  // An old view: admin still points at the previous server, vendors not yet created.
  const { 'vendors.bazaarhub.test': _notYet, ...old } = ZONE;
  stale = await startDnsServer({ ...old, 'admin.bazaarhub.test': { A: ['198.51.100.40'] } });
});
afterAll(async () => {
  await Promise.all([primary.close(), secondary.close(), stale.close()]);
});

describe('dns.resolve', () => {
  it('passes when every service host resolves and the resolvers agree', async () => {
    const finding = await runProbe(resolve, SERVICES, { resolvers: [primary.server, secondary.server] });
    expect(finding.status).toBe('pass');
    expect(finding.details?.map((detail) => `${detail.subject}: ${detail.observed}`)).toEqual([
      'api.bazaarhub.test: A 203.0.113.10; AAAA 2001:db8::10 (2 resolvers agree)',
      'www.bazaarhub.test: CNAME edge.cdn.bazaarhub.test; A 203.0.113.20, 203.0.113.21 (2 resolvers agree)',
      'vendors.bazaarhub.test: A 203.0.113.30 (2 resolvers agree)',
      'admin.bazaarhub.test: A 203.0.113.40 (2 resolvers agree)',
    ]);
    expect(primary.questions).toContain('www.bazaarhub.test A');
  });

  it('fails when a host does not exist', async () => {
    const finding = await runProbe(resolve, { ...SERVICES, VENDOR_PANEL_URL: 'https://sellers.bazaarhub.test' }, { resolvers: [primary.server] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe(`sellers.bazaarhub.test: does not resolve (${primary.server}: NXDOMAIN (no such name))`);
  });

  it('fails while resolvers disagree (propagation unfinished), or warns when agreement is not required', async () => {
    const finding = await runProbe(resolve, {}, { hosts: ['admin.bazaarhub.test'], resolvers: [primary.server, stale.server] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe(`admin.bazaarhub.test: resolvers disagree: ${primary.server} → 203.0.113.40; ${stale.server} → 198.51.100.40`);
    const relaxed = await runProbe(resolve, {}, { hosts: ['admin.bazaarhub.test'], resolvers: [primary.server, stale.server], requireAgreement: false });
    expect(relaxed.status).toBe('warn');
  });

  it('fails when a resolver does not answer, and skips without host names', async () => {
    const gone = await startDnsServer(ZONE);
    await gone.close();
    const finding = await runProbe(resolve, {}, { hosts: ['api.bazaarhub.test'], resolvers: [gone.server] }, { timeoutMs: 2000 });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/does not resolve \(127\.0\.0\.1:\d+: (no answer|resolver refused)/);
    expect((await runProbe(resolve, { APP_URL: 'https://127.0.0.1:8443' })).status).toBe('skipped');
  });

  it('checks names only', () => {
    expect(hostsToCheck(['127.0.0.1', 'localhost', 'API.bazaarhub.test', 'api.bazaarhub.test.', '[::1]'], [])).toEqual(['api.bazaarhub.test']);
    expect(hostsToCheck(['a.test'], ['b.test'])).toEqual(['b.test']);
  });
});
