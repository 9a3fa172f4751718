#!/usr/bin/env -S node --
// `--` stops Node 20 from treating our own --env-file flag as its own (nodejs/node#50993).
// CommonJS (bin/package.json), like dist/cli.cjs it loads: starting Node's ES module loader for
// this one file cost 4 ms of every start-up (bench/RESULTS.md).
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');

// A reader that goes away (`| head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/**
 * `--help` and `--version` on a pipe print what the build recorded (scripts/cache-help.mjs), without
 * loading commander or the CLI: the same bytes, at bare-node start-up cost. A terminal (whose width
 * shapes the help) or a cache from another build takes the ordinary path.
 */
function fastOutput(args) {
  if (args.length > 1 || process.stdout.isTTY || process.env.BAZAARHUB_CHECK_NO_FAST_PATH) return undefined;
  const key = args.length === 0 || args[0] === '--help' || args[0] === '-h' ? 'help' : args[0] === '--version' || args[0] === '-V' ? 'version' : undefined;
  if (!key) return undefined;
  try {
    const cache = JSON.parse(readFileSync(join(dist, 'fast-output.json'), 'utf8'));
    // Keyed on the bundle's bytes (scripts/bundle.mjs), not its mtime: npm pack stores every file with the same fixed mtime.
    const bundle = JSON.parse(readFileSync(join(dist, 'bundle.json'), 'utf8'));
    return cache.build === bundle.sha256 && typeof cache[key] === 'string' ? cache[key] : undefined;
  } catch {
    return undefined;
  }
}


/**
 * Node (20, and later versions too) scans its whole command line for --env-file before running any
 * script, stopping only at `--`: `node bin/bazaarhub-check.js run --env-file x` and `npx
 * bazaarhub-check run --env-file x` (npx is itself a node script) exit 9 with "node: x: not found"
 * when x is missing, before this file is read; when x exists, Node applies the file's NODE_OPTIONS.
 * The shebang's `--` protects the installed bin. For the other launchers a leading `--` is accepted
 * (`npx bazaarhub-check -- run --env-file x`, `node bin/bazaarhub-check.js -- run ...`), and
 * `--env x` is the spelling Node never claims.
 */
const args = process.argv[2] === '--' ? process.argv.slice(3) : process.argv.slice(2);

/**
 * Resolves once everything written so far has reached the stream's reader. Writes to a pipe or
 * socket a slow reader has not drained yet are queued, not synchronous: exiting before they are
 * flushed cut a JSON report short at 64 KiB under `| (sleep 1; jq)` and in a spawning parent.
 */
function drained(stream) {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}

/**
 * The CLI is one script, dist/cli.cjs, compiled with a V8 code cache (src/cli/code-cache.cts).
 * BAZAARHUB_CHECK_DEBUG runs the compiled modules one by one instead, so its stack traces name
 * their own files and lines.
 */
async function loadCli() {
  if (process.env.BAZAARHUB_CHECK_DEBUG) {
    const { main } = await import('../dist/src/cli/main.js');
    return { main, saveCodeCache() {} };
  }
  const { commandShape, loadBundledCli } = require('../dist/src/cli/code-cache.cjs');
  return loadBundledCli(dist, commandShape(args));
}

async function run() {
  // A fresh clone has no dist/ until its first run builds it (the package ships dist/; no install scripts).
  if (!existsSync(join(dist, 'bundle.json'))) await import('../scripts/build-from-clone.mjs');
  const fast = fastOutput(args);
  if (fast !== undefined) {
    process.stdout.write(fast);
    process.exit(0);
  }
  const cli = await loadCli();
  const code = await cli.main(args);
  cli.saveCodeCache();
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // Exit now: a target that never answers may still hold a socket open, and the verdict is final.
  process.exit(code);
}

run();
