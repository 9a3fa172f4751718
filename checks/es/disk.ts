import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { combine } from '../../src/engine/findings.js';
import { esDisk, type EsDisk, withEs } from '../../src/facts/elasticsearch.js';

function gib(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** Every data node's disk use must stay below the watermark; the UNASSIGNED row is not a node. */
export function judgeDisk(rows: EsDisk[], maxUsedPercent: number): Finding {
  const expected = `every data node's disk below ${maxUsedPercent}% used (Elasticsearch stops allocating shards at its 85% low watermark)`;
  const nodes = rows.filter((row) => row.node !== 'UNASSIGNED');
  return combine(
    nodes.map((row) =>
      row.usedPercent === undefined
        ? { subject: row.node, status: 'error', observed: 'disk usage not reported' }
        : {
            subject: row.node,
            status: row.usedPercent >= maxUsedPercent ? 'fail' : 'pass',
            observed: `${row.usedPercent}% used (${gib(row.usedBytes)} of ${gib(row.totalBytes)})`,
          },
    ),
    expected,
    'Free disk space (delete old indices, add an ILM delete phase) or add disk/data nodes before the high (90%) and flood-stage (95%) watermarks make indices read-only.',
  );
}

export default defineProbe({
  id: 'es.disk',
  sends: { to: 'Elasticsearch (ELASTICSEARCH_NODE or ELASTICSEARCH_URL)', what: 'GET /_cat/allocation', effect: 'none' },
  title: 'Elasticsearch nodes have disk headroom',
  description: 'GET _cat/allocation: no data node at or above `maxUsedPercent` disk use (default 85, the low watermark).',
  params: z.object({ maxUsedPercent: z.number().min(1).max(100).default(85) }),
  remediation: 'Keep every data node below the disk watermark: delete or shrink indices, or add storage.',
  // No checklist item is only about Elasticsearch's disks ("Monitor disk space" covers every server,
  // and "Disk space < 10%" asks for an alert rule), so the catalog adds its own entry for this probe.
  suggests: [],
  async run(ctx, params) {
    return withEs(ctx, `every data node below ${params.maxUsedPercent}% disk used`, async () => judgeDisk(await esDisk(ctx), params.maxUsedPercent));
  },
});
