import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

const REAL = await readFile(join(ROOT, 'bazaarhub-checks.yaml'), 'utf8');
const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');

/** A run of `--only env.required` (reads the env file only) on a copy of the real catalog, caching in `cache`. */
async function run(dir: string, cache: string, extra: Record<string, string> = {}, only = 'env.required') {
  return runCli(['run', '--env-file', GOOD_ENV, '--only', only, '--no-manual', '--format', 'json', '--catalog', 'bazaarhub-checks.yaml', '--checklist', 'deployment.md'], { cwd: dir, env: { XDG_CACHE_HOME: cache, ...extra } });
}

async function setUp(dir: string, text = REAL): Promise<string> {
  await writeFile(join(dir, 'bazaarhub-checks.yaml'), text);
  await writeFile(join(dir, 'deployment.md'), await readFile(join(ROOT, 'checklists/deployment.md')));
  return join(dir, 'cache');
}

const cached = (cache: string) => {
  const dir = join(cache, 'bazaarhub-check', 'catalogs');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => join(dir, name)) : [];
};
const results = (stdout: string) => (JSON.parse(stdout) as { results: Array<{ id: string; title: string; status: string }> }).results.map(({ id, title, status }) => ({ id, title, status }));

describe('the validated-catalog cache (real binary)', () => {
  it('a second run reads the catalog from the cache and reports the same; an edited catalog is parsed again', async () => {
    await withTempDir(async (dir) => {
      const cache = await setUp(dir);
      const first = await run(dir, cache);
      expect(first.code, first.stderr).toBe(0);
      expect(cached(cache)).toHaveLength(1);
      const second = await run(dir, cache);
      expect(results(second.stdout)).toEqual(results(first.stdout));
      expect(cached(cache)).toHaveLength(1);

      // What is cached is what a hit uses: a title changed in the cached copy shows (so hits are real).
      const [file] = cached(cache) as [string];
      const entryTitle = results(first.stdout)[0]?.title as string;
      writeFileSync(file, readFileSync(file, 'utf8').replace(JSON.stringify(entryTitle), JSON.stringify(`${entryTitle} (from the cache)`)));
      expect(results((await run(dir, cache)).stdout)[0]?.title).toBe(`${entryTitle} (from the cache)`);

      // The catalog edited: a new key, so the edit shows, parsed from the file.
      await writeFile(join(dir, 'bazaarhub-checks.yaml'), REAL.replace(`title: ${entryTitle}`, `title: ${entryTitle} (edited)`));
      expect(results((await run(dir, cache)).stdout)[0]?.title).toBe(`${entryTitle} (edited)`);
      expect(cached(cache)).toHaveLength(2);
    });
  });

  it('a bad param of a probe the cached run did not load is still refused with its line', async () => {
    await withTempDir(async (dir) => {
      const text = REAL.replace('    probe: http.hsts\n', '    probe: http.hsts\n    params:\n      maxAge: 31536000\n');
      const line = text.split('\n').findIndex((row) => row.includes('maxAge: 31536000')) + 1;
      const cache = await setUp(dir, text);
      // --only env.required loads env probes only: the catalog is valid as far as they go, and cached.
      expect((await run(dir, cache)).code).toBe(0);
      expect(cached(cache)).toHaveLength(1);
      const hsts = await run(dir, cache, {}, 'http.hsts');
      expect(hsts.code).toBe(2);
      expect(hsts.stderr).toBe(`bazaarhub-check: bazaarhub-checks.yaml:${line}: params.maxAge: unknown param of http.hsts (did you mean minMaxAge?)\n`);
    });
  });

  it('BAZAARHUB_CHECK_CACHE=off stores nothing, and a cache that cannot be written is no error', async () => {
    await withTempDir(async (dir) => {
      const cache = await setUp(dir);
      const off = await run(dir, cache, { BAZAARHUB_CHECK_CACHE: 'off' });
      expect(off.code, off.stderr).toBe(0);
      expect(cached(cache)).toEqual([]);
      writeFileSync(cache, 'a file where the cache folder would be');
      const blocked = await run(dir, cache);
      expect(blocked.code, blocked.stderr).toBe(0);
      expect(results(blocked.stdout)).toEqual(results(off.stdout));
    });
  });
});
