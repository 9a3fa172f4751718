import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { cacheDir, readCacheFile, writeCacheFile } from '../util/cache-files.cjs';
import { packageRoot } from '../util/paths.js';
import { toolVersion } from '../util/version.js';
import type { Catalog } from './schema.js';

/**
 * Validated catalogs, as JSON, keyed by the catalog's bytes, the validating code and the probe ids.
 * Measured: parsing the bundled 100 KiB catalog through the yaml Document API (kept for line numbers
 * and hand edits) costs ~90 ms and most of the start-up garbage collection of a `run`; reading the
 * cached JSON costs under 1 ms. A changed catalog, a new build or another probe set is a miss, and
 * only a catalog without problems is stored, so a hit gives exactly what parsing would.
 * `BAZAARHUB_CHECK_CACHE=off` disables it; a cache that cannot be written is simply not used.
 */
const KEEP = 16;

let codeHash: string | undefined;
/** The code that decides what a valid catalog is: a rebuilt validator never reads an older verdict. */
function validatorHash(): string {
  if (!codeHash) {
    // The tool's version too: zod or yaml upgraded with a release can change what they accept.
    const hash = createHash('sha256').update(toolVersion());
    const root = packageRoot();
    // The compiled modules (dist/cli.cjs is bundled from them), or their TypeScript sources in tests.
    for (const name of ['catalog/load', 'catalog/schema', 'catalog/strict', 'catalog/environments', 'checklist/types']) {
      try {
        hash.update(readFileSync(join(root, 'dist/src', `${name}.js`)));
      } catch {
        hash.update(readFileSync(join(root, 'src', `${name}.ts`)));
      }
    }
    codeHash = hash.digest('hex');
  }
  return codeHash;
}

export function catalogCacheKey(text: string, known: ReadonlySet<string>): string {
  return createHash('sha256').update(validatorHash()).update('\0').update([...known].join(',')).update('\0').update(text).digest('hex');
}

export function readCachedCatalog(key: string, env: NodeJS.ProcessEnv = process.env): Catalog | undefined {
  const dir = cacheDir('catalogs', env);
  if (!dir) return undefined;
  const data = readCacheFile(dir, `${key}.json`);
  if (!data) return undefined;
  try {
    return JSON.parse(data.toString('utf8')) as Catalog;
  } catch {
    return undefined;
  }
}

/** Stores `catalog` when JSON keeps it exactly (no Infinity, no undefined field), then keeps the newest few. */
export function writeCachedCatalog(key: string, catalog: Catalog, env: NodeJS.ProcessEnv = process.env): void {
  const dir = cacheDir('catalogs', env);
  if (!dir) return;
  const json = JSON.stringify(catalog);
  if (!isDeepStrictEqual(JSON.parse(json), catalog)) return;
  writeCacheFile(dir, `${key}.json`, json, KEEP);
}
