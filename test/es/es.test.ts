import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probesOf } from '../helpers/probes.js';
import type { Finding, Probe } from '../../src/engine/types.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { defaultNodes, startElasticsearch, type EsStandInOptions, type RunningElasticsearch } from '../../src/standins/elasticsearch.js';
import { probeById, runTogether, withSilentPort } from '../helpers/run-probe.js';
import { runProbe } from '../helpers/servers.js';

const probes = await probesOf('es');

const probe = (id: string): Probe => probeById(probes, id);

const running: RunningElasticsearch[] = [];
let ca: KeyPair;
let leaf: KeyPair;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  leaf = await issueCertificate(ca);
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.close()));
});

/** The indices BazaarHub's code creates. */
const APP = [
  { name: 'products', primaries: 2, replicas: 1, docs: 120 },
  { name: 'search_analytics', docs: 40 },
  { name: 'search_clicks', docs: 9 },
];

const GOOD: EsStandInOptions = { nodes: defaultNodes(3), indices: [{ name: 'products', primaries: 2, replicas: 1, docs: 120 }] };

async function cluster(options: EsStandInOptions = GOOD): Promise<RunningElasticsearch> {
  const server = await startElasticsearch(options);
  running.push(server);
  return server;
}

function envFor(server: RunningElasticsearch, extra: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: 'production', ELASTICSEARCH_NODE: server.url, ELASTICSEARCH_USERNAME: server.username, ELASTICSEARCH_PASSWORD: server.password, ...extra };
}

/** Runs one probe through the real client against the stand-in, in a fresh run context. */
function check(id: string, env: Record<string, string>, params: Record<string, unknown> = {}, options: { ca?: string[]; timeoutMs?: number } = {}): Promise<Finding> {
  return runProbe(probe(id), env, params, options);
}

describe('es.connectivity', () => {
  it('passes when the cluster answers with the configured credentials', async () => {
    const server = await cluster();
    const finding = await check('es.connectivity', envFor(server));
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('Elasticsearch 8.15.3');
    expect(finding.observed).not.toContain(server.password);
  });

  it('fails when the password is wrong, without printing it', async () => {
    const server = await cluster();
    const finding = await check('es.connectivity', { ...envFor(server), ELASTICSEARCH_PASSWORD: 'wrong-password-123' });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/credentials were rejected \(HTTP 401, security_exception: unable to authenticate user \[elastic\]/);
    expect(finding.observed).not.toContain('wrong-password-123');
  });

  it('takes credentials from the URL userinfo and never prints them', async () => {
    const server = await cluster();
    const url = new URL(server.url);
    url.username = server.username;
    url.password = server.password;
    const finding = await check('es.connectivity', { ELASTICSEARCH_URL: url.toString() });
    expect(finding.status).toBe('pass');
    expect(finding.observed).not.toContain(server.password);
  });

  it('fails when nothing listens on the port', async () => {
    const server = await cluster();
    await server.close();
    const finding = await check('es.connectivity', envFor(server));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/cannot connect/);
  });

  it('is an error (could not look, exit 3) within the timeout when the server accepts but never answers', async () => {
    await withSilentPort(async (port) => {
      const started = Date.now();
      const finding = await check('es.connectivity', { ELASTICSEARCH_NODE: `http://127.0.0.1:${port}` }, {}, { timeoutMs: 800 });
      expect(finding.status).toBe('error');
      expect(finding.observed).toContain('no answer within 800 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  it('fails when the server is not Elasticsearch (OpenSearch answers without X-elastic-product)', async () => {
    const server = await cluster({ ...GOOD, product: 'opensearch' });
    const finding = await check('es.connectivity', envFor(server));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/did not identify itself as Elasticsearch/);
  });

  it('fails over https when the certificate is not trusted, passes with --ca', async () => {
    const server = await cluster({ ...GOOD, tls: leaf });
    expect((await check('es.connectivity', envFor(server))).status).toBe('fail');
    expect((await check('es.connectivity', envFor(server), {}, { ca: [ca.cert] })).status).toBe('pass');
  });

  it('is skipped naming the variable when no cluster is configured', async () => {
    for (const probeEntry of probes) {
      const finding = await check(probeEntry.id, { NODE_ENV: 'production' });
      expect(finding.status, probeEntry.id).toBe('skipped');
      expect(finding.observed, probeEntry.id).toMatch(/ELASTICSEARCH_NODE \(or ELASTICSEARCH_URL\) is not set/);
    }
  });
});

describe('es.version', () => {
  it('passes on 8.x and fails on 7.x', async () => {
    expect((await check('es.version', envFor(await cluster()))).status).toBe('pass');
    const old = await check('es.version', envFor(await cluster({ ...GOOD, version: '7.17.24' })));
    expect(old.status).toBe('fail');
    expect(old.observed).toContain('7.17.24');
  });

  it('is an error, not a pass, when the cluster cannot be asked', async () => {
    const server = await cluster();
    const finding = await check('es.version', { ...envFor(server), ELASTICSEARCH_PASSWORD: 'not-the-password' });
    expect(finding.status).toBe('error');
    expect(finding.observed).toMatch(/HTTP 401/);
  });
});

describe('es.cluster-health', () => {
  it('green passes', async () => {
    const finding = await check('es.cluster-health', envFor(await cluster()));
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/is green with 3 node\(s\).*0 unassigned/);
  });

  it('yellow warns and reports the unassigned replicas', async () => {
    const server = await cluster({ nodes: defaultNodes(2), indices: [{ name: 'products', primaries: 1, replicas: 2 }] });
    const finding = await check('es.cluster-health', envFor(server));
    expect(finding.status).toBe('warn');
    expect(finding.observed).toMatch(/yellow.*1 unassigned/);
  });

  it('red fails', async () => {
    const server = await cluster({ ...GOOD, indices: [{ name: 'products', primaries: 2, replicas: 1, lostPrimaries: 1 }] });
    const finding = await check('es.cluster-health', envFor(server));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/red.*2 unassigned/);
  });
});

describe('es.nodes', () => {
  it('passes with three master-eligible nodes', async () => {
    expect((await check('es.nodes', envFor(await cluster()))).status).toBe('pass');
  });

  it('fails with a single node', async () => {
    const finding = await check('es.nodes', envFor(await cluster({ ...GOOD, nodes: defaultNodes(1) })));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/nodes: 1 node/);
  });

  it('fails with three nodes of which only one is master-eligible', async () => {
    const nodes = [{ name: 'm1', roles: 'dim' }, { name: 'd1', roles: 'di' }, { name: 'd2', roles: 'di' }];
    const finding = await check('es.nodes', envFor(await cluster({ ...GOOD, nodes })));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/master-eligible: 1 master-eligible/);
  });
});

describe('es.shards', () => {
  it('passes when every shard is assigned and replicated', async () => {
    expect((await check('es.shards', envFor(await cluster()))).status).toBe('pass');
  });

  it('fails when allocation is disabled', async () => {
    const server = await cluster({ ...GOOD, allocation: { persistent: 'primaries' } });
    const finding = await check('es.shards', envFor(server));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('cluster.routing.allocation.enable is "primaries" (persistent setting)');
    expect(finding.observed).toMatch(/unassigned shards: 2 of 4 shard copies unassigned/);
  });

  it('fails when an index has no replica, ignoring system indices', async () => {
    const server = await cluster({ ...GOOD, indices: [...(GOOD.indices ?? []), { name: 'orders', replicas: 0 }, { name: '.kibana_1', replicas: 0 }] });
    const finding = await check('es.shards', envFor(server));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('replicas: no replica: orders');
  });
});

describe('es.security', () => {
  it('passes over https when anonymous requests get 401', async () => {
    const server = await cluster({ ...GOOD, tls: leaf });
    const finding = await check('es.security', envFor(server), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/refused with 401 \(challenge Basic\); transport: https/);
  });

  it('fails when security is disabled', async () => {
    const server = await cluster({ ...GOOD, tls: leaf, security: false });
    const finding = await check('es.security', envFor(server), {}, { ca: [ca.cert] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/security is disabled/);
  });

  it('fails on plain http in production, warns outside production', async () => {
    const server = await cluster();
    const production = await check('es.security', envFor(server));
    expect(production.status).toBe('fail');
    expect(production.observed).toMatch(/plain http in production/);
    expect((await check('es.security', envFor(server, { NODE_ENV: 'staging' }))).status).toBe('warn');
  });

  it('warns when anonymous access is enabled but restricted (403)', async () => {
    const server = await cluster({ ...GOOD, tls: leaf, anonymous: 'restricted' });
    expect((await check('es.security', envFor(server), {}, { ca: [ca.cert] })).status).toBe('warn');
  });

  it('makes its request without credentials', async () => {
    const server = await cluster({ ...GOOD, tls: leaf });
    await check('es.security', envFor(server), {}, { ca: [ca.cert] });
    expect(server.requests).toEqual([{ method: 'GET', path: '/', authenticated: false }]);
  });
});

describe('es.disk', () => {
  it('passes below the watermark and fails above it', async () => {
    expect((await check('es.disk', envFor(await cluster()))).status).toBe('pass');
    const nodes = [{ name: 'es-node-1' }, { name: 'es-node-2', diskUsedPercent: 91 }, { name: 'es-node-3' }];
    const finding = await check('es.disk', envFor(await cluster({ ...GOOD, nodes })));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/^es-node-2: 91% used \(91\.0 GiB of 100\.0 GiB\)$/);
  });

  it('honours the watermark param', async () => {
    const nodes = [{ name: 'es-node-1', diskUsedPercent: 80 }];
    const server = await cluster({ ...GOOD, nodes });
    expect((await check('es.disk', envFor(server), { maxUsedPercent: 90 })).status).toBe('pass');
    expect((await check('es.disk', envFor(server), { maxUsedPercent: 75 })).status).toBe('fail');
  });
});

describe('es.indices', () => {
  it('defaults to the indices BazaarHub really uses, and fails naming each one missing', async () => {
    const finding = await check('es.indices', envFor(await cluster({ ...GOOD, indices: APP })));
    expect(finding.status).toBe('pass');
    expect(finding.observed).toBe('products: green, 120 documents; search_analytics: green, 40 documents; search_clicks: green, 9 documents');
    const onlyProducts = await check('es.indices', envFor(await cluster()));
    expect(onlyProducts.status).toBe('fail');
    expect(onlyProducts.observed).toBe('search_analytics: no such index or alias; search_clicks: no such index or alias');
    const missing = await check('es.indices', envFor(await cluster({ ...GOOD, indices: [{ name: 'orders' }] })));
    expect(missing.status).toBe('fail');
    expect(missing.observed).toMatch(/^products: no such index or alias/);
  });

  it('never glues ES_INDEX_PREFIX on (the application ignores it) and says so', async () => {
    const server = await cluster({ ...GOOD, indices: APP });
    const finding = await check('es.indices', envFor(server, { ES_INDEX_PREFIX: 'bazaarhub' }));
    expect(finding.status).toBe('pass');
    expect(finding.observed).not.toContain('bazaarhubproducts');
    expect(finding.observed).toContain("ES_INDEX_PREFIX=bazaarhub is set, but BazaarHub's code does not apply it; checked the unprefixed names");
  });

  it('applies the prefix param and resolves aliases', async () => {
    const server = await cluster({ ...GOOD, indices: [{ name: 'bh_products_v2', docs: 7 }], aliases: { bh_products: 'bh_products_v2' } });
    const finding = await check('es.indices', envFor(server, { ES_INDEX_PREFIX: 'bh_' }), { indices: ['products'], prefix: 'bh_' });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toBe('bh_products: green, 7 documents (alias of bh_products_v2)');
  });

  it('fails on a closed index and a red one', async () => {
    const server = await cluster({ ...GOOD, indices: [{ name: 'products', closed: true }, { name: 'vendors', lostPrimaries: 1 }] });
    const finding = await check('es.indices', envFor(server), { indices: ['products', 'vendors'] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('products: closed; vendors: red, 0 documents');
  });
});

describe('one client and one request per API per run', () => {
  it('shares facts between probes', async () => {
    const server = await cluster({ ...GOOD, indices: APP, tls: leaf });
    // Each probe gets its own signal, as under the runner; the facts are shared through the run's store.
    const { findings, contacts } = await runTogether(probes, envFor(server), {}, { ca: [ca.cert] });
    expect(findings.map((finding) => finding.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    const paths = server.requests.map((request) => `${request.method} ${request.path}${request.authenticated ? '' : ' (anonymous)'}`).sort();
    expect(paths).toEqual([
      'GET / (anonymous)',
      'GET /',
      'GET /_cat/aliases',
      'GET /_cat/allocation',
      'GET /_cat/indices',
      'GET /_cat/nodes',
      'GET /_cat/shards',
      'GET /_cluster/health',
      'GET /_cluster/settings',
    ].sort());
    expect([...contacts.values()].every((count) => count === 1)).toBe(true);
  });
});
