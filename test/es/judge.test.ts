/** The es.* judgements on answers recorded from real clusters (no network). */
import { describe, expect, it } from 'vitest';
import { judgeHealth } from '../../checks/es/cluster-health.js';
import { judgeDisk } from '../../checks/es/disk.js';
import { judgeIndices } from '../../checks/es/indices.js';
import { judgeNodes } from '../../checks/es/nodes.js';
import { judgeSecurity } from '../../checks/es/security.js';
import { judgeShards } from '../../checks/es/shards.js';
import { judgeVersion } from '../../checks/es/version.js';
import { describeEsError } from '../../src/facts/elasticsearch.js';

describe('es judgements on recorded answers', () => {
  it('health: a single-node docker cluster with replicas configured is yellow', () => {
    // GET _cluster/health of an 8.x docker-compose single node (15 primaries, 3 replica copies unassigned).
    const finding = judgeHealth({ clusterName: 'docker-cluster', status: 'yellow', nodes: 1, dataNodes: 1, activeShards: 15, unassignedShards: 3, initializingShards: 0, relocatingShards: 0 });
    expect(finding.status).toBe('warn');
    expect(finding.observed).toBe('cluster "docker-cluster" is yellow with 1 node(s) (1 data); 15 active, 3 unassigned, 0 initializing, 0 relocating shards');
    expect(judgeHealth({ clusterName: 'c', status: 'purple', nodes: 1, dataNodes: 1, activeShards: 0, unassignedShards: 0, initializingShards: 0, relocatingShards: 0 }).status).toBe('error');
  });

  it('version: 8.x and 9.x pass, 7.17 fails, garbage is an error', () => {
    const info = (version: string) => ({ nodeName: 'n', clusterName: 'c', version });
    expect(judgeVersion(info('8.15.3'), 8).status).toBe('pass');
    expect(judgeVersion(info('9.0.0'), 8).status).toBe('pass');
    expect(judgeVersion(info('7.17.24'), 8).status).toBe('fail');
    expect(judgeVersion(info('unknown'), 8).status).toBe('error');
  });

  it('nodes: dedicated masters plus data nodes pass; two master-eligible fail', () => {
    // _cat/nodes?h=name,node.role,master of a 5-node cluster with dedicated masters.
    const nodes = [
      { name: 'master-0', roles: 'm', master: true },
      { name: 'master-1', roles: 'm', master: false },
      { name: 'master-2', roles: 'm', master: false },
      { name: 'data-0', roles: 'dhi', master: false },
      { name: 'data-1', roles: 'dhi', master: false },
    ];
    expect(judgeNodes(nodes, { minNodes: 3, minMasterEligible: 3 }).status).toBe('pass');
    expect(judgeNodes(nodes.slice(1), { minNodes: 3, minMasterEligible: 3 }).observed).toBe('master-eligible: 2 master-eligible node(s)');
  });

  it('shards: unassigned replicas with their reason; system indices ignored unless asked', () => {
    const shards = [
      { index: 'products', shard: '0', primary: true, state: 'STARTED', node: 'n1' },
      { index: 'products', shard: '0', primary: false, state: 'UNASSIGNED', reason: 'INDEX_CREATED' },
      { index: '.security-7', shard: '0', primary: true, state: 'STARTED', node: 'n1' },
    ];
    const indices = [
      { index: 'products', health: 'yellow', status: 'open', primaries: 1, replicas: 1, docs: 3 },
      { index: '.security-7', health: 'green', status: 'open', primaries: 1, replicas: 0 },
    ];
    const finding = judgeShards(shards, indices, { enable: 'all', source: 'default' }, false);
    expect(finding.observed).toBe('unassigned shards: 1 of 3 shard copies unassigned (0 primary) in products; reason INDEX_CREATED');
    expect(judgeShards(shards.slice(0, 1), indices, { enable: 'all', source: 'default' }, true).observed).toBe('replicas: no replica: .security-7');
  });

  it('security: 401 over https passes; 200 fails; http warns outside production', () => {
    expect(judgeSecurity({ status: 401, https: true, challenge: 'Basic realm="security" charset="UTF-8"' }, true).status).toBe('pass');
    expect(judgeSecurity({ status: 200, https: true }, true).status).toBe('fail');
    expect(judgeSecurity({ status: 401, https: false }, false).status).toBe('warn');
    expect(judgeSecurity({ status: 502, https: true }, true).status).toBe('error');
  });

  it('disk: the UNASSIGNED row of _cat/allocation is not a node', () => {
    const rows = [
      { node: 'n1', usedPercent: 46, usedBytes: 47.3 * 2 ** 30, totalBytes: 100.7 * 2 ** 30 },
      { node: 'UNASSIGNED' },
    ];
    expect(judgeDisk(rows, 85)).toMatchObject({ status: 'pass', observed: 'n1: 46% used (47.3 GiB of 100.7 GiB)' });
    expect(judgeDisk([{ node: 'n1' }], 85).status).toBe('error');
  });

  it('indices: an alias over several indices takes the worst health', () => {
    const indices = [
      { index: 'products-2026.01', health: 'green', status: 'open', docs: 10 },
      { index: 'products-2026.02', health: 'yellow', status: 'open', docs: 5 },
    ];
    const aliases = [
      { alias: 'products', index: 'products-2026.01' },
      { alias: 'products', index: 'products-2026.02' },
    ];
    expect(judgeIndices(['products'], indices, aliases)).toMatchObject({ status: 'warn', observed: 'products: yellow, 15 documents (alias of products-2026.01, products-2026.02)' });
  });

  it('client errors become sentences without credentials', () => {
    const unauthorized = { name: 'ResponseError', meta: { statusCode: 401 }, body: { error: { type: 'security_exception', reason: 'unable to authenticate user [elastic] for REST request [/]' }, status: 401 } };
    expect(describeEsError(unauthorized, 1000)).toBe('credentials were rejected (HTTP 401, security_exception: unable to authenticate user [elastic] for REST request [/])');
    expect(describeEsError({ name: 'TimeoutError' }, 1500)).toBe('no answer within 1500 ms');
  });
});
