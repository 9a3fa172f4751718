import { describeSends, type Probe } from '../engine/types.js';

/**
 * The README's probe table, generated from the registry: one row per probe, in registry order,
 * with the "what it sends" column taken from each probe's `sends`. The "verifies" cells are
 * curated prose and survive regeneration; a new probe starts with its title.
 * `node scripts/probe-table.mjs` rewrites the README (after `npm run build`); a test fails when
 * the README and the registry disagree.
 */
export const TABLE_START = '<!-- probe-table: generated from the probe registry by `node scripts/probe-table.mjs`; edit only the "verifies" cells -->';
export const TABLE_END = '<!-- /probe-table -->';

const HEADER = ['| probe | verifies | what it sends |', '| --- | --- | --- |'];
const ROW = /^\|\s*`([a-z0-9.-]+)`\s*\|(.*?)\|(.*)\|\s*$/;

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

/** Where the generated table sits in `readme`, or undefined when the markers are missing. */
export function findTable(readme: string): { start: number; end: number; body: string } | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return { start, end: end + TABLE_END.length, body: readme.slice(start + TABLE_START.length, end) };
}

/** The curated "verifies" cell of each probe row in a table body. */
export function readVerifies(body: string): Map<string, string> {
  const verifies = new Map<string, string>();
  for (const line of body.split('\n')) {
    const match = ROW.exec(line);
    if (match?.[1] && match[2] !== undefined) verifies.set(match[1], match[2].trim());
  }
  return verifies;
}

export function renderProbeTable(probes: readonly Probe[], verifies: ReadonlyMap<string, string> = new Map()): string {
  const rows = probes.map((probe) => `| \`${probe.id}\` | ${verifies.get(probe.id) || cell(probe.title)} | ${cell(describeSends(probe.sends))} |`);
  return [TABLE_START, ...HEADER, ...rows, TABLE_END].join('\n');
}

/** `readme` with its probe table regenerated from `probes` (curated "verifies" cells kept). */
export function updateProbeTable(readme: string, probes: readonly Probe[]): string {
  const table = findTable(readme);
  if (!table) throw new Error(`README has no probe table markers (${TABLE_START} ... ${TABLE_END})`);
  return readme.slice(0, table.start) + renderProbeTable(probes, readVerifies(table.body)) + readme.slice(table.end);
}
