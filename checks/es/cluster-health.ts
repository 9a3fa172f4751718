import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { esHealth, type EsHealth, withEs } from '../../src/facts/elasticsearch.js';

const EXPECTED = 'cluster health green (every primary and replica shard assigned)';

/** green passes, yellow (replicas unassigned) warns, red (a primary unassigned) fails. */
export function judgeHealth(health: EsHealth): Finding {
  const shards = `${health.activeShards} active, ${health.unassignedShards} unassigned, ${health.initializingShards} initializing, ${health.relocatingShards} relocating shards`;
  const observed = `cluster "${health.clusterName}" is ${health.status} with ${health.nodes} node(s) (${health.dataNodes} data); ${shards}`;
  switch (health.status) {
    case 'green':
      return { status: 'pass', observed, expected: EXPECTED };
    case 'yellow':
      return { status: 'warn', observed, expected: EXPECTED, remediation: 'Some replica shards are unassigned: add data nodes (a replica never shares a node with its primary) or lower index.number_of_replicas; GET _cluster/allocation/explain says why.' };
    case 'red':
      return { status: 'fail', observed, expected: EXPECTED, remediation: 'A primary shard is unassigned and its data unavailable: GET _cluster/allocation/explain, bring back the missing node or restore the index from a snapshot.' };
    default:
      return { status: 'error', observed: `unknown health status "${health.status}"`, expected: EXPECTED };
  }
}

export default defineProbe({
  id: 'es.cluster-health',
  sends: { to: 'Elasticsearch (ELASTICSEARCH_NODE or ELASTICSEARCH_URL)', what: 'GET /_cluster/health', effect: 'none' },
  title: 'Elasticsearch cluster health is green',
  description: 'GET _cluster/health: green passes, yellow warns, red fails; reports unassigned shards.',
  params: z.object({}),
  remediation: 'Run GET _cluster/allocation/explain to see why shards are unassigned, then add nodes, free disk or fix the allocation settings.',
  suggests: [
    { match: /^elasticsearch cluster unhealthy$/i, severity: 'critical' },
    { match: /^tune elasticsearch for production$/i },
  ],
  async run(ctx) {
    return withEs(ctx, EXPECTED, async () => judgeHealth(await esHealth(ctx)));
  },
});
