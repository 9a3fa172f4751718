import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandShape } from '../../src/cli/code-cache.cjs';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const ENV_RUN = ['run', '--only', 'env.required', '--no-manual', '--quiet', '--format', 'json', '--env-file', GOOD_ENV];

function codeCaches(cacheHome: string): string[] {
  const dir = join(cacheHome, 'bazaarhub-check', 'code');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.bin')) : [];
}

/** The report without what differs from run to run (times, CPU). */
function verdictOf(stdout: string): unknown {
  const report = JSON.parse(stdout) as { results: Array<{ id: string; status: string; observed: string }>; summary: unknown };
  return { summary: report.summary, results: report.results.map(({ id, status, observed }) => ({ id, status, observed })) };
}

describe('the code cache (dist/cli.cjs compiled once per build and command shape)', () => {
  it('the first run stores the compiled code, the next identical run reads it without rewriting it, and both report the same', async () => {
    await withTempDir(async (cacheHome) => {
      const first = await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: cacheHome } });
      expect(first.code, first.stderr).toBe(0);
      const [file, ...others] = codeCaches(cacheHome);
      expect(others).toEqual([]);
      expect(file).toMatch(/^[0-9a-f]{24}-v\d+\.\d+\.\d+-[a-z0-9]+-[0-9a-f]{8}\.bin$/);
      const path = join(cacheHome, 'bazaarhub-check', 'code', file as string);
      const written = statSync(path).ino;

      const second = await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: cacheHome } });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toBe('');
      // V8 accepted the cache: a rejected one is written again after the run (a new file renamed over it).
      expect(statSync(path).ino).toBe(written);
      expect(verdictOf(second.stdout)).toEqual(verdictOf(first.stdout));
    });
  });

  it('a damaged cache is rejected by V8, the run is unaffected, and the cache is written again', async () => {
    await withTempDir(async (cacheHome) => {
      const first = await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: cacheHome } });
      expect(first.code, first.stderr).toBe(0);
      const path = join(cacheHome, 'bazaarhub-check', 'code', codeCaches(cacheHome)[0] as string);
      writeFileSync(path, Buffer.alloc(4096, 7));
      const damaged = await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: cacheHome } });
      expect(damaged.code, damaged.stderr).toBe(0);
      expect(damaged.stderr).toBe('');
      expect(verdictOf(damaged.stdout)).toEqual(verdictOf(first.stdout));
      expect(readFileSync(path).equals(Buffer.alloc(4096, 7))).toBe(false);
      expect(statSync(path).size).toBeGreaterThan(100_000);
    });
  });

  it('another command shape has its own cache; BAZAARHUB_CHECK_CACHE=off stores nothing', async () => {
    await withTempDir(async (cacheHome) => {
      expect((await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: cacheHome } })).code).toBe(0);
      expect((await runCli(['list', '--json'], { env: { XDG_CACHE_HOME: cacheHome } })).code).toBe(0);
      expect(codeCaches(cacheHome)).toHaveLength(2);
    });
    await withTempDir(async (cacheHome) => {
      const off = await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: cacheHome, BAZAARHUB_CHECK_CACHE: 'off' } });
      expect(off.code, off.stderr).toBe(0);
      expect(existsSync(join(cacheHome, 'bazaarhub-check'))).toBe(false);
    });
  });

  it('an unwritable cache folder is no error', async () => {
    await withTempDir(async (dir) => {
      // A file where the cache folder would go: nothing can be created under it.
      writeFileSync(join(dir, 'bazaarhub-check'), 'not a folder');
      const result = await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: dir } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
    });
  });

  it('BAZAARHUB_CHECK_DEBUG runs the separate modules, with the same report and no code cache', async () => {
    await withTempDir(async (cacheHome) => {
      const bundled = await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: join(cacheHome, 'bundled') } });
      const debug = await runCli(ENV_RUN, { env: { XDG_CACHE_HOME: cacheHome, BAZAARHUB_CHECK_DEBUG: '1' } });
      expect(debug.code, debug.stderr).toBe(0);
      expect(verdictOf(debug.stdout)).toEqual(verdictOf(bundled.stdout));
      expect(codeCaches(cacheHome)).toEqual([]);
    });
  });

  it('a command shape keeps the words, option names and the values that select probes or reporters, never paths or variables', () => {
    expect(commandShape(['run', '--only', 'env.', '--env-file', '/tmp/a/.env', '--format', 'json', '--out', '/tmp/r.json'])).toBe('run --only env. --env-file --format json --out');
    expect(commandShape(['run', '--only=env.', '--env-file=/x/.env', '--set', 'JWT_SECRET=s3cr3t-value'])).toBe('run --only env. --env-file --set');
    expect(commandShape(['catalog', 'check', 'my-catalog.yaml'])).toBe('catalog check');
    expect(commandShape(['run', '--env', '/a.env'])).toBe(commandShape(['run', '--env', '/b.env']));
    expect(commandShape(['run', '--only', 'env.'])).not.toBe(commandShape(['run', '--only', 'tls.']));
  });
});
