import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CatalogEntry } from '../../src/catalog/schema.js';
import { runEntries } from '../../src/engine/runner.js';
import { defineProbe, type Probe } from '../../src/engine/types.js';
import { buildTarget } from '../../src/target/target.js';
import { Redactor } from '../../src/util/redact.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What ran when: [probe id, 'start' | 'end'] in order. */
const log: Array<[string, 'start' | 'end']> = [];
const timed = (id: string, phase?: 'measurement' | 'burst', extra: Partial<Probe> = {}): Probe =>
  defineProbe({
    id,
    title: id,
    description: '',
    remediation: 'r',
    params: z.object({ ms: z.number().default(30) }),
    ...(phase ? { phase } : {}),
    ...extra,
    async run(_ctx, params) {
      log.push([id, 'start']);
      await sleep(params.ms);
      log.push([id, 'end']);
      return { status: 'pass', observed: 'fine', expected: 'fine' };
    },
  });
const probes = [timed('t.normal'), timed('t.measure', 'measurement'), timed('t.burst', 'burst'), timed('t.slow-budget', undefined, { budgetMs: (params: { ms: number }) => params.ms + 200 })];
const registry = new Map(probes.map((probe) => [probe.id, probe]));
const entry = (id: string, probe: string, params?: Record<string, unknown>): CatalogEntry => ({ id, title: id, kind: 'task', phase: 'p', section: 's', cadence: 'per-release', severity: 'high', probe, ...(params ? { params } : {}) });
const run = (entries: CatalogEntry[], timeoutMs = 1000) =>
  runEntries({ entries, registry, target: buildTarget({}, new Redactor()), options: { timeoutMs, insecure: false, ca: [] }, concurrency: 8, signal: new AbortController().signal });

describe('run phases', () => {
  it('runs measurements alone after every concurrent probe, then bursts, keeping catalog order in the results', async () => {
    log.length = 0;
    const { results } = await run([entry('burst', 't.burst'), entry('m1', 't.measure'), entry('n1', 't.normal'), entry('m2', 't.measure'), entry('n2', 't.normal')]);
    expect(results.map((result) => result.id)).toEqual(['burst', 'm1', 'n1', 'm2', 'n2']);
    const order = log.map(([id, event]) => `${id} ${event}`);
    const lastNormalEnd = order.lastIndexOf('t.normal end');
    const firstMeasureStart = order.indexOf('t.measure start');
    expect(lastNormalEnd).toBeLessThan(firstMeasureStart);
    // One measurement at a time: each ends before the next starts; the burst comes last.
    expect(order.slice(firstMeasureStart)).toEqual(['t.measure start', 't.measure end', 't.measure start', 't.measure end', 't.burst start', 't.burst end']);
  });

  it('gives a probe the budget it declares when that is longer than --timeout', async () => {
    const { results } = await run([entry('slow', 't.slow-budget', { ms: 400 }), entry('plain', 't.normal', { ms: 400 })], 200);
    expect(results.map((result) => result.status)).toEqual(['pass', 'error']);
    expect(results[1]?.observed).toBe('timed out after 0.2s');
  });
});
