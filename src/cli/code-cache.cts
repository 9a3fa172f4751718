import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';
import { cacheDir, readCacheFile, writeCacheFile } from '../util/cache-files.cjs';

/**
 * Loads dist/cli.cjs (scripts/bundle.mjs) with a V8 code cache: the compiled code of the functions
 * the previous run of this build compiled, so this run neither resolves some 90 modules nor compiles
 * them again. Node 20 has no compile cache of its own (module.enableCompileCache is Node 22), and
 * `vm.Script`'s `cachedData` is how V8 takes one. The cache lives in
 * `$XDG_CACHE_HOME/bazaarhub-check/code`, one file per build, Node version, architecture and command
 * shape (commandShape); a missing, unreadable or rejected cache costs one ordinary compile and is
 * written again after the run. `BAZAARHUB_CHECK_CACHE=off` turns it off. The same file holds the
 * code of the SDK files the run required (sdkCompileCache), so a cache is one read and one write.
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

/**
 * A cache file: MAGIC, the index's length (uint32 LE), the index (JSON: [offset, length] of the
 * bundle's code and of each SDK file's, by the file's SHA-1), then those parts.
 */
const MAGIC = 'BHC2';

interface CachePack {
  bundle?: Buffer;
  modules: Map<string, Buffer>;
}

/** What a cache file holds; anything unreadable (an older format, a damaged file) is a miss. */
export function readPack(data: Buffer | undefined): CachePack {
  const pack: CachePack = { modules: new Map() };
  if (!data || data.length < 8 || data.toString('latin1', 0, 4) !== MAGIC) return pack;
  try {
    const indexEnd = 8 + data.readUInt32LE(4);
    const index = JSON.parse(data.toString('latin1', 8, indexEnd)) as { bundle?: [number, number]; modules?: Record<string, [number, number]> };
    const part = ([offset, length]: [number, number]) => {
      if (indexEnd + offset + length > data.length) throw new Error('truncated');
      return data.subarray(indexEnd + offset, indexEnd + offset + length);
    };
    if (index.bundle) pack.bundle = part(index.bundle);
    for (const [key, where] of Object.entries(index.modules ?? {})) pack.modules.set(key, part(where));
    return pack;
  } catch {
    return { modules: new Map() };
  }
}

export function writePack(pack: CachePack): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const place = (data: Buffer): [number, number] => {
    parts.push(data);
    offset += data.length;
    return [offset - data.length, data.length];
  };
  const index = { ...(pack.bundle ? { bundle: place(pack.bundle) } : {}), modules: Object.fromEntries([...pack.modules].map(([key, data]) => [key, place(data)])) };
  const json = Buffer.from(JSON.stringify(index), 'latin1');
  const head = Buffer.alloc(8);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, 4);
  return Buffer.concat([head, json, ...parts]);
}

interface CjsModule {
  exports: unknown;
  require(id: string): unknown;
}

interface CjsLoader {
  prototype: { _compile(this: CjsModule, content: string, filename: string, format?: string): unknown };
  _resolveFilename(request: string, parent: CjsModule, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: CjsModule): string[] | null;
  _cache: NodeJS.Require['cache'];
  _extensions: NodeJS.Require['extensions'];
}

/** The `require` Node gives a module's code (its makeRequireFunction). */
function requireFor(loader: CjsLoader, mod: CjsModule): NodeJS.Require {
  const moduleRequire = ((id: string) => mod.require(id)) as NodeJS.Require;
  moduleRequire.resolve = Object.assign((request: string, options?: { paths?: string[] }) => loader._resolveFilename(request, mod, false, options), {
    paths: (request: string) => loader._resolveLookupPaths(request, mod),
  });
  moduleRequire.main = require.main;
  moduleRequire.cache = loader._cache;
  moduleRequire.extensions = loader._extensions;
  return moduleRequire;
}

/** `import(` (spaces allowed): a vm.Script has no dynamic-import callback, so such a file compiles the ordinary way. */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/**
 * Compiles the CommonJS files the run requires from node_modules (pg, ioredis, the AWS SDK,
 * nodemailer: some 200 files, 2 MB for a full run) with the code V8 cached for them, by
 * overriding Module.prototype._compile for those files only. v8-compile-cache does the same, but
 * caches each file's top-level code as soon as it is compiled, in a folder and a format of its own;
 * produced after the run, as the bundle's is, the cache also holds the functions the run compiled
 * (measured on a full run: the SDKs load in 70 ms instead of 91, the whole run 55 ms sooner).
 * Keyed by the SHA-1 of a file's text: npm installs every file with the same mtime, and V8 checks
 * a cache only against the source's length. A file that is not plain CommonJS for this
 * (an ES module, a hashbang, an `import()` a vm.Script could not run) takes Node's own path.
 */
export function sdkCompileCache(cached: ReadonlyMap<string, Buffer>): { compiled: Map<string, Script>; missed(): boolean; uninstall(): void } {
  const loader = Module as unknown as CjsLoader;
  const original = loader.prototype._compile;
  const compiled = new Map<string, Script>();
  let missed = false;
  const inNodeModules = `${sep}node_modules${sep}`;
  loader.prototype._compile = function (this: CjsModule, content: string, filename: string, format?: string) {
    if ((format !== undefined && format !== 'commonjs') || !filename.includes(inNodeModules) || content.startsWith('#!') || DYNAMIC_IMPORT.test(content)) return original.call(this, content, filename, format);
    const key = createHash('sha1').update(content).digest('hex');
    const cachedData = cached.get(key);
    let script: Script;
    try {
      script = new Script(Module.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    } catch {
      // Not valid as a CommonJS function body: Node's loader decides (it may load it as an ES module).
      return original.call(this, content, filename, format);
    }
    if (!cachedData || script.cachedDataRejected) missed = true;
    compiled.set(key, script);
    return (script.runInThisContext() as (...args: unknown[]) => unknown).call(this.exports, this.exports, requireFor(loader, this), this, filename, dirname(filename));
  };
  return {
    compiled,
    missed: () => missed,
    uninstall: () => {
      loader.prototype._compile = original;
    },
  };
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
  const pack = readPack(dir && cacheName ? readCacheFile(dir, cacheName) : undefined);
  const sdks = cacheName ? sdkCompileCache(pack.modules) : undefined;
  const script = new Script(Module.wrap(source), { filename: file, ...(pack.bundle ? { cachedData: pack.bundle } : {}) });
  const module = { exports: {} as { main?: BundledCli['main'] }, filename: file, id: file };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const { main } = module.exports;
  if (typeof main !== 'function') throw new Error(`${file} exports no main()`);
  const fromCache = pack.bundle !== undefined && !script.cachedDataRejected;
  return {
    main,
    saveCodeCache() {
      if (!dir || !cacheName || (fromCache && !sdks?.missed())) return;
      try {
        // After the run, so the functions it compiled lazily are in the cache too.
        const modules = new Map([...(sdks?.compiled ?? [])].map(([key, compiled]) => [key, compiled.createCachedData()]));
        writeCacheFile(dir, cacheName, writePack({ bundle: script.createCachedData(), modules }), KEEP);
      } catch {
        // Not cached this time.
      }
    },
  };
}
