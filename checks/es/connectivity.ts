import { isTimeout } from '../../src/facts/clean-error.js';
import { z } from 'zod';
import { defineProbe } from '../../src/engine/types.js';
import { esInfo, showUrl, withEs } from '../../src/facts/elasticsearch.js';
import { errorMessage } from '../../src/util/errors.js';

export default defineProbe({
  id: 'es.connectivity',
  sends: { to: 'Elasticsearch (ELASTICSEARCH_NODE or ELASTICSEARCH_URL)', what: 'GET / with the configured credentials', effect: 'none' },
  title: 'Elasticsearch reachable with the configured credentials',
  description: 'GET / on ELASTICSEARCH_NODE (or ELASTICSEARCH_URL) with ELASTICSEARCH_USERNAME/PASSWORD answers as an Elasticsearch cluster.',
  params: z.object({}),
  remediation: 'Point ELASTICSEARCH_NODE at the cluster (https://host:9200), allow the application hosts through its firewall, and set ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD to a user of the cluster.',
  suggests: [{ match: /^search connectivity confirmed$/i, severity: 'critical' }],
  async run(ctx) {
    const expected = 'the cluster answers GET / with the configured credentials';
    return withEs(ctx, expected, async (config) => {
      try {
        const info = await esInfo(ctx);
        const who = config.username !== undefined ? `as user "${config.username}"` : 'without credentials';
        return { status: 'pass', observed: `${showUrl(config.url)} answered ${who}: cluster "${info.clusterName}", node "${info.nodeName}", Elasticsearch ${info.version}`, expected };
      } catch (error) {
        return { status: isTimeout(error) ? 'error' : 'fail', observed: `${showUrl(config.url)} (${config.variable}): ${errorMessage(error)}`, expected };
      }
    });
  },
});
