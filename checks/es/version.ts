import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { esInfo, type EsInfo, withEs } from '../../src/facts/elasticsearch.js';

/** Judges the version from GET /: major below `minMajor` fails; an unparsable number is an error. */
export function judgeVersion(info: EsInfo, minMajor: number): Finding {
  const expected = `Elasticsearch ${minMajor}.x or newer`;
  const major = Number(/^(\d+)\./.exec(info.version)?.[1]);
  if (!Number.isInteger(major)) return { status: 'error', observed: `version "${info.version}" is not a version number`, expected };
  const observed = `cluster "${info.clusterName}" runs Elasticsearch ${info.version}${info.flavor && info.flavor !== 'default' ? ` (${info.flavor})` : ''}`;
  return { status: major >= minMajor ? 'pass' : 'fail', observed, expected };
}

export default defineProbe({
  id: 'es.version',
  sends: { to: 'Elasticsearch (ELASTICSEARCH_NODE or ELASTICSEARCH_URL)', what: 'the shared GET /', effect: 'none' },
  title: 'Elasticsearch 8 or newer',
  description: 'The version GET / reports is at least the required major (8, which BazaarHub and its client library need).',
  params: z.object({ minMajor: z.number().int().positive().default(8) }),
  remediation: 'Upgrade the cluster to Elasticsearch 8 (rolling upgrade from 7.17), or provision a managed Elasticsearch 8 deployment.',
  suggests: [{ match: /^provision elasticsearch\b/i, severity: 'high' }],
  async run(ctx, params) {
    return withEs(ctx, `Elasticsearch ${params.minMajor}.x or newer`, async () => judgeVersion(await esInfo(ctx), params.minMajor));
  },
});
