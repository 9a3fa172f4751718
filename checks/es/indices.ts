import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { combine } from '../../src/engine/findings.js';
import { esAliases, esIndices, type EsAlias, type EsIndex, withEs } from '../../src/facts/elasticsearch.js';

/** The concrete index name, with BazaarHub's ES_INDEX_PREFIX prepended unless the name already has it. */
export function indexName(name: string, prefix: string | undefined): string {
  return prefix && !name.startsWith(prefix) ? `${prefix}${name}` : name;
}

/** Each required name must exist as an index or alias; a red index fails, a yellow one warns. */
export function judgeIndices(required: string[], indices: EsIndex[], aliases: EsAlias[]): Finding {
  const byName = new Map(indices.map((index) => [index.index, index]));
  const details: FindingDetail[] = required.map((name) => {
    const direct = byName.get(name);
    const backing = direct ? [direct] : aliases.filter((alias) => alias.alias === name).flatMap((alias) => byName.get(alias.index) ?? []);
    if (backing.length === 0) return { subject: name, status: 'fail', observed: 'no such index or alias' };
    const via = direct ? '' : ` (alias of ${backing.map((index) => index.index).join(', ')})`;
    const health = backing.some((index) => index.health === 'red') ? 'red' : backing.some((index) => index.health === 'yellow') ? 'yellow' : backing[0]?.health ?? 'unknown';
    const closed = backing.filter((index) => index.status === 'close');
    const docs = backing.reduce((sum, index) => sum + (index.docs ?? 0), 0);
    if (closed.length) return { subject: name, status: 'fail', observed: `closed${via}` };
    const status = health === 'red' ? 'fail' : health === 'yellow' ? 'warn' : 'pass';
    return { subject: name, status, observed: `${health}, ${docs} documents${via}` };
  });
  return combine(
    details,
    `indices present, open and green: ${required.join(', ')}`,
    'Create the missing indices (run the application\'s search index setup or reindex job) and fix red/yellow indices with GET _cluster/allocation/explain.',
  );
}

export default defineProbe({
  id: 'es.indices',
  sends: { to: 'Elasticsearch (ELASTICSEARCH_NODE or ELASTICSEARCH_URL)', what: 'GET /_cat/indices and /_cat/aliases', effect: 'none' },
  title: 'Elasticsearch indices the application needs exist',
  description: 'GET _cat/indices and _cat/aliases: every required index (ES_INDEX_PREFIX applied) exists as an index or alias, is open, and is not red.',
  params: z.object({ indices: z.array(z.string().min(1)).min(1).default(['products']), applyPrefix: z.boolean().default(true) }),
  remediation: 'Create the application\'s indices (BazaarHub indexes products) before going live.',
  suggests: [{ match: /^monitor elasticsearch indices$/i }],
  async run(ctx, params) {
    const prefix = params.applyPrefix ? ctx.target.get('ES_INDEX_PREFIX') : undefined;
    const required = params.indices.map((name) => indexName(name, prefix));
    return withEs(ctx, `indices present and healthy: ${required.join(', ')}`, async () => {
      const [indices, aliases] = await Promise.all([esIndices(ctx), esAliases(ctx)]);
      return judgeIndices(required, indices, aliases);
    });
  },
});
