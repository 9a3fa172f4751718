#!/usr/bin/env node
// Runs after `tsc` (npm run build): records what the compiled CLI prints for `--help` and `--version`
// on a pipe, so bin/bazaarhub-check.js can answer those two without loading commander and the CLI
// (cold start within 1.5× of bare node). The cache names the build it came from (dist/bundle.json's hash of
// dist/cli.cjs; not an mtime: npm pack fixes every mtime); the binary ignores a cache of another build and falls back to commander.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/bazaarhub-check.js');

const capture = (args) => {
  const result = spawnSync(process.execPath, ['--', bin, ...args], { env: { PATH: process.env.PATH, BAZAARHUB_CHECK_NO_FAST_PATH: '1', BAZAARHUB_CHECK_CACHE: 'off' }, encoding: 'utf8' });
  if (result.status !== 0 || result.stderr) throw new Error(`bazaarhub-check ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
};

const cache = { build: JSON.parse(readFileSync(join(root, 'dist/bundle.json'), 'utf8')).sha256, help: capture(['--help']), version: capture(['--version']) };
writeFileSync(join(root, 'dist/fast-output.json'), `${JSON.stringify(cache)}\n`);
