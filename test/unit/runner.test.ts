import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CatalogEntry } from '../../src/catalog/schema.js';
import { runEntries } from '../../src/engine/runner.js';
import { decideVerdict } from '../../src/engine/verdict.js';
import { defineProbe, type Probe } from '../../src/engine/types.js';
import { buildTarget } from '../../src/target/target.js';
import { Redactor } from '../../src/util/redact.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });

let running = 0;
let peak = 0;
const sends = { to: 'nothing', what: 'a test probe', effect: 'none' };
const probes: Probe[] = [
  defineProbe({ id: 't.ok', title: 'ok', description: '', sends, remediation: 'r', params: z.object({ ms: z.number().default(0) }), async run(ctx, p) {
    running++;
    peak = Math.max(peak, running);
    await sleep(p.ms, ctx.signal).finally(() => running--);
    return { status: 'pass', observed: 'fine', expected: 'fine' };
  } }),
  defineProbe({ id: 't.hang', title: 'hang', description: '', sends, remediation: 'r', params: z.object({}), run: () => new Promise(() => undefined) }),
  defineProbe({ id: 't.crash', title: 'crash', description: '', sends, remediation: 'r', params: z.object({}), async run() {
    throw new TypeError('boom');
  } }),
  defineProbe({ id: 't.fail', title: 'fail', description: '', sends, remediation: 'fix it', params: z.object({}), async run() {
    return { status: 'fail', observed: 'bad', expected: 'good' };
  } }),
];
const registry = new Map(probes.map((probe) => [probe.id, probe]));
const entry = (id: string, probe: string | undefined, severity: CatalogEntry['severity'] = 'high', params?: Record<string, unknown>): CatalogEntry => ({
  id, title: id, kind: 'task', phase: 'p', section: 's', cadence: 'per-release', severity,
  ...(probe ? { probe } : { manual: true as const }),
  ...(params ? { params } : {}),
});
const target = buildTarget({}, new Redactor());

function run(entries: CatalogEntry[], options: { timeoutMs?: number; concurrency?: number; signal?: AbortSignal } = {}) {
  return runEntries({ entries, registry, target, options: { timeoutMs: options.timeoutMs ?? 1000, insecure: false, ca: [] }, concurrency: options.concurrency ?? 4, signal: options.signal ?? new AbortController().signal });
}

describe('runner', () => {
  it('isolates crashes and timeouts as errors and keeps going', async () => {
    const started = Date.now();
    const { results } = await run([entry('a', 't.ok'), entry('b', 't.hang'), entry('c', 't.crash'), entry('d', 't.fail')], { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(results.map((r) => [r.id, r.status])).toEqual([['a', 'pass'], ['b', 'error'], ['c', 'error'], ['d', 'fail']]);
    expect(results[1]?.observed).toBe('timed out after 0.3s');
    expect(results[2]?.observed).toBe('probe failed: boom');
    expect(results[3]?.remediation).toBe('fix it');
  });

  it('runs probes concurrently under the limit', async () => {
    peak = 0;
    const started = Date.now();
    await run(Array.from({ length: 8 }, (_, i) => entry(`e${i}`, 't.ok', 'high', { ms: 150 })), { concurrency: 4 });
    expect(peak).toBe(4);
    expect(Date.now() - started).toBeLessThan(8 * 150);
  });

  it('reports manual items as unattested by default', async () => {
    const { results } = await run([entry('m', undefined)]);
    expect(results[0]).toEqual(expect.objectContaining({ status: 'unattested', probe: null }));
  });

  it('stops on interrupt: running probes error, unstarted ones are not run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('interrupted (Ctrl-C)')), 100);
    const outcome = await run([entry('a', 't.hang'), entry('b', 't.ok')], { concurrency: 1, signal: controller.signal, timeoutMs: 5000 });
    expect(outcome.interrupted).toBe(true);
    expect(outcome.results.map((r) => r.status)).toEqual(['error', 'skipped']);
    expect(decideVerdict(outcome.results, 'high', true).exitCode).toBe(3);
  });
});

describe('verdict', () => {
  const result = (status: string, severity: string) => ({ status, severity }) as never;
  it('blocks on fail/unattested/expired at or above --fail-on', () => {
    expect(decideVerdict([result('pass', 'critical'), result('fail', 'medium')], 'high')).toEqual(expect.objectContaining({ verdict: 'ready', exitCode: 0 }));
    expect(decideVerdict([result('fail', 'medium')], 'medium')).toEqual(expect.objectContaining({ verdict: 'not-ready', exitCode: 1 }));
    expect(decideVerdict([result('unattested', 'critical')], 'high').exitCode).toBe(1);
    expect(decideVerdict([result('expired', 'low')], 'low').exitCode).toBe(1);
  });
  it('is incomplete when a probe errored and nothing blocks', () => {
    expect(decideVerdict([result('error', 'low'), result('warn', 'critical')], 'high')).toEqual(expect.objectContaining({ verdict: 'incomplete', exitCode: 3 }));
    expect(decideVerdict([result('error', 'low'), result('fail', 'critical')], 'high').exitCode).toBe(1);
  });
});
