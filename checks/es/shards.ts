import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { combine } from '../../src/engine/findings.js';
import { esAllocationSetting, esIndices, esShards, type EsAllocationSetting, type EsIndex, type EsShard, withEs } from '../../src/facts/elasticsearch.js';

const EXPECTED = 'no unassigned shards, shard allocation enabled (all), every index with at least one replica';

/** Index names starting with a dot are system or hidden indices whose replicas Elasticsearch manages. */
export function isSystemIndex(name: string): boolean {
  return name.startsWith('.');
}

function list(items: string[], limit = 5): string {
  return items.length > limit ? `${items.slice(0, limit).join(', ')} and ${items.length - limit} more` : items.join(', ');
}

export function judgeShards(shards: EsShard[], indices: EsIndex[], allocation: EsAllocationSetting, includeSystem: boolean): Finding {
  const unassigned = shards.filter((shard) => shard.state === 'UNASSIGNED');
  const primaries = unassigned.filter((shard) => shard.primary);
  const reasons = [...new Set(unassigned.map((shard) => shard.reason ?? 'unknown reason'))];
  const unreplicated = indices.filter((index) => (includeSystem || !isSystemIndex(index.index)) && index.replicas === 0).map((index) => index.index);
  const details: FindingDetail[] = [
    {
      subject: 'allocation',
      status: allocation.enable === 'all' ? 'pass' : 'fail',
      observed: `cluster.routing.allocation.enable is "${allocation.enable}"${allocation.source === 'default' ? ' (default)' : ` (${allocation.source} setting)`}`,
    },
    {
      subject: 'unassigned shards',
      status: unassigned.length === 0 ? 'pass' : 'fail',
      observed:
        unassigned.length === 0
          ? `all ${shards.length} shard copies assigned`
          : `${unassigned.length} of ${shards.length} shard copies unassigned (${primaries.length} primary) in ${list([...new Set(unassigned.map((shard) => shard.index))])}; reason ${reasons.join(', ')}`,
    },
    {
      subject: 'replicas',
      status: unreplicated.length === 0 ? 'pass' : 'fail',
      observed: unreplicated.length === 0 ? `every index has a replica (${indices.length} indices)` : `no replica: ${list(unreplicated)}`,
    },
  ];
  return combine(
    details,
    EXPECTED,
    'Re-enable allocation (PUT _cluster/settings {"persistent":{"cluster.routing.allocation.enable":null}}), give each index index.number_of_replicas >= 1, and resolve unassigned shards with GET _cluster/allocation/explain.',
  );
}

export default defineProbe({
  id: 'es.shards',
  sends: { to: 'Elasticsearch (ELASTICSEARCH_NODE or ELASTICSEARCH_URL)', what: 'GET /_cat/shards, /_cat/indices and /_cluster/settings', effect: 'none' },
  title: 'Elasticsearch shards allocated and replicated',
  description: 'GET _cat/shards, _cat/indices and _cluster/settings: no unassigned shard, allocation not disabled, every (non-system) index has a replica.',
  params: z.object({ includeSystemIndices: z.boolean().default(false) }),
  remediation: 'Enable shard allocation, set number_of_replicas >= 1 on every index and add data nodes so that replicas can be placed.',
  suggests: [{ match: /^configure shard allocation$/i, severity: 'high' }],
  async run(ctx, params) {
    return withEs(ctx, EXPECTED, async () => {
      const [shards, indices, allocation] = await Promise.all([esShards(ctx), esIndices(ctx), esAllocationSetting(ctx)]);
      return judgeShards(shards, indices, allocation, params.includeSystemIndices);
    });
  },
});
