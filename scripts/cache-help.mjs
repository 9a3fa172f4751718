#!/usr/bin/env node
// Runs after `tsc` (npm run build): records what the compiled CLI prints for `--help` and `--version`
// on a pipe, so bin/bazaarhub-check.js can answer those two without loading commander and the CLI
// (cold start within 1.5× of bare node). The cache names the build it came from; the binary ignores a
// cache whose dist/src/cli/main.js has different bytes (not mtime: npm pack fixes every mtime), and then falls back to commander.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/bazaarhub-check.js');
const main = join(root, 'dist/src/cli/main.js');

const capture = (args) => {
  const result = spawnSync(process.execPath, ['--', bin, ...args], { env: { PATH: process.env.PATH, BAZAARHUB_CHECK_NO_FAST_PATH: '1' }, encoding: 'utf8' });
  if (result.status !== 0 || result.stderr) throw new Error(`bazaarhub-check ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
};

const cache = { build: createHash('sha256').update(readFileSync(main)).digest('hex'), help: capture(['--help']), version: capture(['--version']) };
writeFileSync(join(root, 'dist/fast-output.json'), `${JSON.stringify(cache)}\n`);
