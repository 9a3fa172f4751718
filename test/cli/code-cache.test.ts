import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandShape, readPack, sdkCompileCache, writePack } from '../../src/cli/code-cache.cjs';
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

  it('the SDK files a run requires are cached in the same file, and a run that finds them all there rewrites nothing', async () => {
    await withTempDir(async (cacheHome) => {
      // pg is loaded before the first probe; port 1 on loopback refuses at once.
      const args = ['run', '--only', 'postgres.connectivity', '--no-manual', '--quiet', '--format', 'json', '--env-file', GOOD_ENV, '--set', 'DATABASE_URL=postgres://app:secret@127.0.0.1:1/bazaarhub', '--timeout', '2'];
      const first = await runCli(args, { env: { XDG_CACHE_HOME: cacheHome } });
      expect(first.stderr).toBe('');
      const [file] = codeCaches(cacheHome);
      const path = join(cacheHome, 'bazaarhub-check', 'code', file as string);
      const pack = readPack(readFileSync(path));
      expect(pack.bundle?.length).toBeGreaterThan(100_000);
      // pg and its dependencies (pg-protocol, pg-types, ...): a dozen files or more.
      expect(pack.modules.size).toBeGreaterThan(10);
      const written = statSync(path).ino;
      const second = await runCli(args, { env: { XDG_CACHE_HOME: cacheHome } });
      expect(second.stderr).toBe('');
      expect(statSync(path).ino).toBe(written);
      expect(verdictOf(second.stdout)).toEqual(verdictOf(first.stdout));
    });
  });

  it('an SDK file is compiled with the code cached for its text only: the same text hits, a changed text of the same length compiles afresh', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'node_modules', 'fake-sdk', 'index.js');
      mkdirSync(dirname(file), { recursive: true });
      const load = () => {
        const requireFrom = createRequire(file);
        delete requireFrom.cache[file];
        return (requireFrom(file) as { answer(): string }).answer();
      };
      const withCache = (cached: Map<string, Buffer>) => {
        const hook = sdkCompileCache(cached);
        try {
          return { answer: load(), missed: hook.missed(), cached: new Map([...hook.compiled].map(([key, script]) => [key, script.createCachedData()])) };
        } finally {
          hook.uninstall();
        }
      };
      writeFileSync(file, "exports.answer = function answer() { return 'A'; };\n");
      const first = withCache(new Map());
      expect(first).toMatchObject({ answer: 'A', missed: true });
      expect(first.cached.size).toBe(1);
      expect(withCache(first.cached)).toMatchObject({ answer: 'A', missed: false });
      // V8 checks a cache only against the source's length: given A's code, B would run as A.
      writeFileSync(file, "exports.answer = function answer() { return 'B'; };\n");
      expect(withCache(first.cached)).toMatchObject({ answer: 'B', missed: true });

      // A file with a dynamic import takes Node's own path (a vm.Script could not run the import).
      writeFileSync(file, "exports.answer = function answer() { return 'C'; };\nexports.later = () => import ('node:path');\n");
      const hook = sdkCompileCache(new Map());
      try {
        const requireFrom = createRequire(file);
        delete requireFrom.cache[file];
        const sdk = requireFrom(file) as { answer(): string; later(): Promise<{ sep: string }> };
        expect(sdk.answer()).toBe('C');
        expect(hook.compiled.size).toBe(0);
        expect(typeof (await sdk.later()).sep).toBe('string');
      } finally {
        hook.uninstall();
      }
    });
  });

  it('a cache file from an older format, damaged or cut short is read as empty', () => {
    const pack = { bundle: Buffer.from('bundle code'), modules: new Map([['a'.repeat(40), Buffer.from('module code')]]) };
    const bytes = writePack(pack);
    const read = readPack(bytes);
    expect(read.bundle?.toString()).toBe('bundle code');
    expect(read.modules.get('a'.repeat(40))?.toString()).toBe('module code');
    for (const bad of [Buffer.alloc(4096, 7), bytes.subarray(0, bytes.length - 3), Buffer.concat([bytes.subarray(0, 8), Buffer.from('{not json')]), undefined]) {
      const empty = readPack(bad);
      expect(empty.bundle).toBeUndefined();
      expect(empty.modules.size).toBe(0);
    }
  });

  it('a command shape keeps the words, option names and the values that select probes or reporters, never paths or variables', () => {
    expect(commandShape(['run', '--only', 'env.', '--env-file', '/tmp/a/.env', '--format', 'json', '--out', '/tmp/r.json'])).toBe('run --only env. --env-file --format json --out');
    expect(commandShape(['run', '--only=env.', '--env-file=/x/.env', '--set', 'JWT_SECRET=s3cr3t-value'])).toBe('run --only env. --env-file --set');
    expect(commandShape(['catalog', 'check', 'my-catalog.yaml'])).toBe('catalog check');
    expect(commandShape(['run', '--env', '/a.env'])).toBe(commandShape(['run', '--env', '/b.env']));
    expect(commandShape(['run', '--only', 'env.'])).not.toBe(commandShape(['run', '--only', 'tls.']));
  });
});
