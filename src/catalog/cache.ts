import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
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

function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (/^(0|off|false|no)$/i.test(env.BAZAARHUB_CHECK_CACHE ?? '')) return undefined;
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : join(homedir(), '.cache'));
  return join(base, 'bazaarhub-check', 'catalogs');
}

let codeHash: string | undefined;
/** The code that decides what a valid catalog is: a rebuilt validator never reads an older verdict. */
function validatorHash(): string {
  if (!codeHash) {
    // The tool's version too: zod or yaml upgraded with a release can change what they accept.
    const hash = createHash('sha256').update(toolVersion());
    for (const name of ['./load.js', './schema.js', './strict.js', './environments.js', '../checklist/types.js']) {
      try {
        hash.update(readFileSync(fileURLToPath(new URL(name, import.meta.url))));
      } catch {
        // Running from TypeScript sources (tests): the .ts file stands for the module.
        hash.update(readFileSync(fileURLToPath(new URL(name.replace(/\.js$/, '.ts'), import.meta.url))));
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
  const dir = cacheDir(env);
  if (!dir) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Catalog;
  } catch {
    return undefined;
  }
}

/** Stores `catalog` when JSON keeps it exactly (no Infinity, no undefined field), then keeps the newest few. */
export function writeCachedCatalog(key: string, catalog: Catalog, env: NodeJS.ProcessEnv = process.env): void {
  const dir = cacheDir(env);
  if (!dir) return;
  try {
    const json = JSON.stringify(catalog);
    if (!isDeepStrictEqual(JSON.parse(json), catalog)) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(temp, json, { mode: 0o600 });
    renameSync(temp, join(dir, `${key}.json`));
    prune(dir);
  } catch {
    // A read-only home or a full disk: the next run parses again.
  }
}

function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of files.slice(KEEP)) rmSync(join(dir, name), { force: true });
}
