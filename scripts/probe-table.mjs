#!/usr/bin/env node
// Regenerates the README's probe table from the compiled probe registry (run `npm run build` first).
// `--check` only reports whether the README is current (exit 1 when it is not).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const probes = [...(await (await import(join(root, 'dist/src/engine/registry.js'))).loadRegistry()).values()];
const { updateProbeTable } = await import(join(root, 'dist/src/docs/probe-table.js'));
const path = join(root, 'README.md');
const readme = readFileSync(path, 'utf8');
const next = updateProbeTable(readme, probes);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    process.stderr.write('README.md: the probe table is out of date; run `npm run build && node scripts/probe-table.mjs`\n');
    process.exit(1);
  }
} else if (next !== readme) {
  writeFileSync(path, next);
  process.stdout.write(`README.md: probe table regenerated (${probes.length} probes)\n`);
}
