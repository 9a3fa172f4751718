import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { combine } from '../../src/engine/findings.js';
import { esAliases, esIndices, type EsAlias, type EsIndex, withEs } from '../../src/facts/elasticsearch.js';

/** The indices BazaarHub's code creates and queries (its search service and analytics), unprefixed. */
export const APPLICATION_INDICES = ['products', 'search_analytics', 'search_clicks'];

/** The concrete index name: the `prefix` param, when one is set, joined to the name as given. */
export function indexName(name: string, prefix: string): string {
  return `${prefix}${name}`;
}

/**
 * ES_INDEX_PREFIX is in BazaarHub's .env.example but its code never applies it, so the variable is
 * not evidence of the names in use: it is reported when it disagrees with the names checked.
 */
export function prefixNote(declared: string | undefined, prefix: string): string | undefined {
  if (declared === undefined || declared === prefix) return undefined;
  return `ES_INDEX_PREFIX=${declared} is set, but BazaarHub's code does not apply it; checked ${prefix ? `the prefix param "${prefix}"` : 'the unprefixed names'} (set the es.indices param prefix if this deployment's code applies one)`;
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
  description:
    'GET _cat/indices and _cat/aliases: every index the application uses (default products, search_analytics, search_clicks, the names BazaarHub\'s code creates) exists as an index or alias, is open, and is not red. A prefix is the param prefix, never taken from ES_INDEX_PREFIX (which BazaarHub\'s code ignores).',
  params: z.object({
    /** Index (or alias) names as the application spells them. */
    indices: z.array(z.string().min(1)).min(1).default(APPLICATION_INDICES),
    /** Prepended to every name, for a deployment whose code prefixes its indices; default none. */
    prefix: z.string().default(''),
  }),
  remediation: 'Create the application\'s indices (BazaarHub creates products, search_analytics and search_clicks on start-up or in its index setup job) before going live.',
  suggests: [{ match: /^monitor elasticsearch indices$/i }],
  async run(ctx, params) {
    const required = params.indices.map((name) => indexName(name, params.prefix));
    const note = prefixNote(ctx.target.get('ES_INDEX_PREFIX'), params.prefix);
    return withEs(ctx, `indices present and healthy: ${required.join(', ')}`, async () => {
      const [indices, aliases] = await Promise.all([esIndices(ctx), esAliases(ctx)]);
      const finding = judgeIndices(required, indices, aliases);
      return note ? { ...finding, observed: `${finding.observed} (${note})` } : finding;
    });
  },
});
