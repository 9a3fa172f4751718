import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { cacheDir, readCacheFile, writeCacheFile } from '../util/cache-files.cjs';

/**
 * Loads dist/cli.cjs (scripts/bundle.mjs) with a V8 code cache: the compiled code of the functions
 * the previous run of this build compiled, so this run neither resolves some 90 modules nor compiles
 * them again. Node 20 has no compile cache of its own (module.enableCompileCache is Node 22), and
 * `vm.Script`'s `cachedData` is how V8 takes one. The cache lives in
 * `$XDG_CACHE_HOME/bazaarhub-check/code`, one file per build, Node version, architecture and command
 * shape (commandShape); a missing, unreadable or rejected cache costs one ordinary compile and is
 * written again after the run. `BAZAARHUB_CHECK_CACHE=off` turns it off.
 */
export interface BundledCli {
  main(argv: string[]): Promise<number>;
  /** Stores what this run compiled, when the cache was missing or rejected. Never throws. */
  saveCodeCache(): void;
}

/** Caches kept side by side: a few command shapes of a build or two (a rebuilt clone, two installed versions). */
const KEEP = 12;

/** Options whose values change which code a command runs (the probes selected, the reporters used). */
const SHAPING_VALUES = new Set(['--phase', '--section', '--cadence', '--only', '--format', '--fail-on']);

/**
 * What decides which functions a command compiles: its words and option names, and the values of the
 * options that select probes or reporters, never a path or a variable. Each shape has its own cache:
 * V8 reads a whole cache before running anything, and a full run's (1.3 MB) took 18 ms to read where
 * `run --only env.`'s own (0.6 MB) takes 7 ms. CI runs the same command each time, and so hits.
 */
export function commandShape(args: readonly string[]): string {
  const shape: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [name, inline] = arg.startsWith('--') ? arg.split('=', 2) : [arg, undefined];
    if (!arg.startsWith('-')) {
      // The command's words (`run`, `catalog check`); later words are values or files: not the shape.
      if (i === shape.length && i < 2) shape.push(arg);
      continue;
    }
    shape.push(name as string);
    if (name && SHAPING_VALUES.has(name)) shape.push(inline ?? args[++i] ?? '');
  }
  return shape.join(' ');
}

/** FNV-1a, 32 bits: names a cache file after a shape without loading node:crypto at start-up. */
function shapeHash(shape: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < shape.length; i++) hash = Math.imul(hash ^ shape.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

interface BundleInfo {
  file: string;
  sha256: string;
  bytes: number;
}

export function loadBundledCli(distDir: string, shape: string, env: NodeJS.ProcessEnv = process.env): BundledCli {
  const info = JSON.parse(readFileSync(join(distDir, 'bundle.json'), 'utf8')) as BundleInfo;
  const file = join(distDir, info.file);
  const bytes = readFileSync(file);
  // ASCII (scripts/bundle.mjs checks): latin1 is the same text, copied without UTF-8's decoding.
  const source = bytes.toString('latin1');
  const dir = cacheDir('code', env);
  // V8 checks a cache only against the source's length: the name carries the build's hash, and a
  // bundle whose length no longer matches its bundle.json (edited by hand) runs without a cache.
  const cacheName = dir && bytes.length === info.bytes ? `${info.sha256.slice(0, 24)}-${process.version}-${process.arch}-${shapeHash(shape)}.bin` : undefined;
  const cachedData = dir && cacheName ? readCacheFile(dir, cacheName) : undefined;
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} as { main?: BundledCli['main'] }, filename: file, id: file };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const { main } = module.exports;
  if (typeof main !== 'function') throw new Error(`${file} exports no main()`);
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  return {
    main,
    saveCodeCache() {
      if (fromCache || !dir || !cacheName) return;
      try {
        // After the run, so the functions it compiled lazily are in the cache too.
        writeCacheFile(dir, cacheName, script.createCachedData(), KEEP);
      } catch {
        // Not cached this time.
      }
    },
  };
}
