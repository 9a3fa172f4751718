#!/usr/bin/env node
// Runs after `tsc` (npm run build): bundles the compiled CLI (dist/src, dist/checks, and the packages
// named in BUNDLED below) into one CommonJS script, dist/cli.cjs,
// which bin/bazaarhub-check.js compiles with a V8 code cache (src/cli/code-cache.cts).
//
// Why (measured, bench/RESULTS.md "Start-up"): Node 20 compiles every ES module from source on every
// start and has no compile cache for them (module.enableCompileCache arrived in Node 22.1); a run
// spent about 55 ms resolving, compiling and evaluating some 90 modules before its first probe. One
// script with a code cache skips both the resolution and most of the compiling. The SDKs and every
// other package stay outside the bundle and load, as before, only when a probe needs them.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/**
 * Inside the bundle: what nearly every command loads and is small, and the packages published only
 * as ES modules (the checklist parser's), which a CommonJS script could not load on Node 20 before
 * 20.19. Every other package stays outside and loads, with require, only when a command needs it.
 * Measured: bundling the SDKs too left a full run as slow as before (their cost is their own set-up
 * code, not compiling it) and made `run --only env.` 8 ms slower (a 4.5 MB script to read).
 */
const BUNDLED = new Set(['commander', 'zod', 'picocolors', 'mdast-util-from-markdown', 'mdast-util-gfm', 'micromark-extension-gfm']);
/**
 * The modules allowed to read `import.meta.url`. In the bundle it is the URL dist/src/cli/main.js
 * had, for every module alike, so only code that wants the package's location may use it (a URL
 * relative to a module's own file would point elsewhere).
 */
const IMPORT_META_ALLOWED = new Set(['dist/src/util/paths.js', 'dist/src/catalog/load.js']);

/**
 * Each probe module, when it is evaluated, publishes its path (`checks/env/flags.js`) on the
 * diagnostics channel `bazaarhub-check:module`: the bundle has no module files left to watch, and
 * bench/module-log.mjs (and test/cli/startup-modules.test.ts) show through it that a run evaluates
 * only the probes it selects. Publishing to a channel nobody subscribes to costs nothing measurable.
 */
const announceProbeModules = {
  name: 'announce-probe-modules',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]dist[\\/]checks[\\/].*\.js$/ }, (args) => {
      const name = relative(join(root, 'dist'), args.path).split(sep).join('/');
      const announce = `import { channel as __bazaarhubChannel } from 'node:diagnostics_channel';\n__bazaarhubChannel('bazaarhub-check:module').publish(${JSON.stringify(name)});\n`;
      return { contents: announce + readFileSync(args.path, 'utf8'), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * commander requires node:child_process at load time, for executable subcommands this CLI does not
 * have; loading it cost 1.8 ms of every start-up. Inside commander it is loaded on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(builder) {
    builder.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined));
    builder.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

const outfile = join(root, 'dist/cli.cjs');
const result = await build({
  entryPoints: [join(root, 'dist/src/cli/main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() becomes a require behind a promise: a vm.Script compiled from a code cache has no
  // dynamic-import callback in Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), and the option that
  // provides one (vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER) is experimental and says so on stderr.
  supported: { 'dynamic-import': false },
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
  define: { 'import.meta.url': '__bazaarhubMainUrl' },
  banner: { js: "const __bazaarhubMainUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'src/cli/main.js')).href;" },
  metafile: true,
  // For bench/profile.mjs, which maps profile frames back to modules; not shipped (package.json files).
  sourcemap: 'external',
  plugins: [announceProbeModules, lazyChildProcessForCommander],
  logLevel: 'error',
  legalComments: 'none',
  // No comments (the only non-ASCII bytes esbuild leaves: it escapes the rest), so the bundle is
  // ASCII and src/cli/code-cache.cts reads it as latin1, a copy where UTF-8 decoding of a 1.6 MB
  // file with a few non-ASCII characters made a two-byte string (3.4 ms of every start, measured).
  // Identifiers and syntax are kept; BAZAARHUB_CHECK_DEBUG runs the unbundled modules anyway.
  minifyWhitespace: true,
  charset: 'ascii',
});

const misplaced = Object.keys(result.metafile.inputs).filter((input) => {
  const file = relative(root, join(root, input));
  return file.startsWith('dist/') && !IMPORT_META_ALLOWED.has(file) && /\bimport\.meta\b/.test(readFileSync(join(root, input), 'utf8'));
});
if (misplaced.length) {
  process.stderr.write(`scripts/bundle.mjs: import.meta in ${misplaced.join(', ')}: in dist/cli.cjs it would be main.js's URL; use packageRoot() (src/util/paths.ts) instead\n`);
  process.exit(1);
}

const bytes = readFileSync(outfile);
const nonAscii = bytes.findIndex((byte) => byte > 0x7f);
if (nonAscii !== -1) {
  process.stderr.write(`scripts/bundle.mjs: dist/cli.cjs has a non-ASCII byte at offset ${nonAscii}; src/cli/code-cache.cts reads it as latin1\n`);
  process.exit(1);
}
if (bytes.includes('import(')) {
  process.stderr.write('scripts/bundle.mjs: dist/cli.cjs still calls import(), which fails in a script compiled from a code cache\n');
  process.exit(1);
}
// The code cache is keyed by these bytes (V8 itself checks only the source's length).
writeFileSync(join(root, 'dist/bundle.json'), `${JSON.stringify({ file: 'cli.cjs', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length })}\n`);
