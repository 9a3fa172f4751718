import type { CatalogEntry } from '../catalog/schema.js';
import type { Target } from '../target/target.js';
import type { Registry } from './registry.js';
import type { Finding, RunOptions } from './types.js';
import { errorMessage } from '../util/errors.js';

/** How `--max-requests` was spent: the entries refused (by index) with their finding, and the requests granted. */
export interface BudgetAllocation {
  refused: Map<number, Finding>;
  granted: number;
}

/**
 * Allocates `--max-requests` in catalog order, before anything runs, so two runs with the same N
 * skip the same entries whatever the scheduling. All or nothing per entry: an entry whose
 * deliberate requests do not fit is refused whole (half a measurement measures nothing), and the
 * entries after it may still fit. A unit shared with an entry already granted costs nothing more.
 */
export function allocateBudget(entries: readonly CatalogEntry[], registry: Registry, target: Target, options: RunOptions): BudgetAllocation {
  const refused = new Map<number, Finding>();
  const max = options.maxRequests;
  if (max === undefined) return { refused, granted: 0 };
  const granted = new Set<string>();
  let left = max;
  entries.forEach((entry, index) => {
    const probe = entry.probe ? registry.get(entry.probe) : undefined;
    if (!probe?.deliberate) return;
    const parsed = probe.params.safeParse(entry.params ?? {});
    // Bad params: the runner reports the error; nothing is sent.
    if (!parsed.success) return;
    let units: Array<{ key: string; requests: number }>;
    try {
      units = probe.deliberate.plan(parsed.data, { target, options });
    } catch (error) {
      // What cannot be counted is not sent under a limit.
      refused.set(index, { status: 'skipped', observed: `--max-requests ${max}: cannot tell how many requests ${probe.id} would send (${errorMessage(error)})`, expected: 'its deliberate requests within --max-requests' });
      return;
    }
    const fresh = units.filter((unit) => !granted.has(unit.key));
    const needs = fresh.reduce((sum, unit) => sum + unit.requests, 0);
    if (needs <= left) {
      left -= needs;
      for (const unit of fresh) granted.add(unit.key);
      return;
    }
    refused.set(index, {
      status: 'skipped',
      observed: `--max-requests ${max}: ${probe.id} needs ${needs} request${needs === 1 ? '' : 's'}, ${left} left`,
      expected: `its ${needs} deliberate requests within --max-requests`,
      remediation: `Raise --max-requests to at least ${max - left + needs} (or leave it off) to run this check; the budget is spent in catalog order.`,
    });
  });
  return { refused, granted: max - left };
}
