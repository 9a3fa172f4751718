import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { combine } from '../../src/engine/findings.js';
import { esNodes, type EsNode, withEs } from '../../src/facts/elasticsearch.js';

export interface NodeParams {
  minNodes: number;
  minMasterEligible: number;
}

/** Counts nodes and master-eligible nodes (role letter `m`); each short count fails. */
export function judgeNodes(nodes: EsNode[], params: NodeParams): Finding {
  const masters = nodes.filter((node) => node.roles.includes('m'));
  const elected = nodes.find((node) => node.master)?.name;
  const details: FindingDetail[] = [
    { subject: 'nodes', status: nodes.length >= params.minNodes ? 'pass' : 'fail', observed: `${nodes.length} node(s): ${nodes.map((node) => `${node.name} [${node.roles}]`).join(', ') || 'none'}` },
    {
      subject: 'master-eligible',
      status: masters.length >= params.minMasterEligible ? 'pass' : 'fail',
      observed: `${masters.length} master-eligible node(s)${elected ? `, elected master ${elected}` : ''}`,
    },
  ];
  return combine(
    details,
    `at least ${params.minNodes} nodes, ${params.minMasterEligible} of them master-eligible (a quorum survives the loss of one)`,
    'Run at least three master-eligible nodes (node.roles includes master) so that the cluster keeps a voting quorum when one node fails, and enough data nodes to hold a replica of every shard.',
  );
}

export default defineProbe({
  id: 'es.nodes',
  sends: { to: 'Elasticsearch (ELASTICSEARCH_NODE or ELASTICSEARCH_URL)', what: 'GET /_cat/nodes', effect: 'none' },
  title: 'Elasticsearch cluster has at least 3 nodes',
  description: 'GET _cat/nodes: at least `minNodes` nodes, and at least `minMasterEligible` master-eligible nodes for a real quorum.',
  params: z.object({ minNodes: z.number().int().positive().default(3), minMasterEligible: z.number().int().positive().default(3) }),
  remediation: 'Add nodes until the cluster has three master-eligible nodes (the checklist asks for a minimum of three).',
  suggests: [
    {
      match: /^set up elasticsearch cluster(?:.*?minimum (\d+) nodes)?/i,
      params: (match) => (match[1] ? { minNodes: Number(match[1]) } : {}),
      severity: 'high',
    },
  ],
  async run(ctx, params) {
    return withEs(ctx, `at least ${params.minNodes} nodes, ${params.minMasterEligible} master-eligible`, async () => judgeNodes(await esNodes(ctx), params));
  },
});
