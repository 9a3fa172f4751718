import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProbes } from '../../src/engine/registry.js';
import type { Probe } from '../../src/engine/types.js';
import { ROOT } from './cli.js';

/** The probes whose files are in checks/<area>/, in registry order (ids such as the generic `redis.info` live elsewhere). */
export async function probesOf(area: string): Promise<Probe[]> {
  const index = readFileSync(join(ROOT, 'checks/index.ts'), 'utf8');
  const ids = [...index.matchAll(/^ {2}'([a-z0-9.-]+)': \(\) => import\('\.\/([a-z0-9-]+)\//gm)].filter((match) => match[2] === area).map((match) => match[1] as string);
  return [...(await loadProbes(ids)).values()];
}
