import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The tool's cache folder `$XDG_CACHE_HOME/bazaarhub-check/<kind>` (validated catalogs, compiled
 * code), or undefined when `BAZAARHUB_CHECK_CACHE=off` turns caching off. Everything in it can be
 * deleted at any time: a missing or unreadable file is a miss.
 */
export function cacheDir(kind: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (/^(0|off|false|no)$/i.test(env.BAZAARHUB_CHECK_CACHE ?? '')) return undefined;
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : join(homedir(), '.cache'));
  return join(base, 'bazaarhub-check', kind);
}

/**
 * Writes `name` in `dir` whole or not at all (a temporary file renamed over it: concurrent runs never
 * read half a file), then keeps the `keep` newest files ending like `name`. A read-only home or a full
 * disk is not an error: the next run simply misses.
 */
export function writeCacheFile(dir: string, name: string, data: string | NodeJS.ArrayBufferView, keep: number): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, join(dir, name));
    const extension = name.slice(name.lastIndexOf('.'));
    const files = readdirSync(dir)
      .filter((file) => file.endsWith(extension) && !file.startsWith('.'))
      .map((file) => ({ file, mtime: statSync(join(dir, file)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const { file } of files.slice(keep)) rmSync(join(dir, file), { force: true });
  } catch {
    // Not cached this time.
  }
}

/**
 * The bytes of `name` in `dir`, or undefined when it is missing or unreadable. A hit is marked as
 * used (its mtime), so the pruning in writeCacheFile drops the least recently used files, not the
 * oldest written: a command run every day keeps its cache however many others come and go.
 */
export function readCacheFile(dir: string, name: string): Buffer | undefined {
  const path = join(dir, name);
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // A read-only cache still serves.
  }
  return data;
}
