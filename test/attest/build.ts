import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');
const cacheDir = join(root, 'node_modules', '.cache', 'bazaarhub-test');

/**
 * Bundles a TypeScript entry point (our real source, not a copy) into one ESM file under
 * node_modules/.cache, so tests can start it in separate Node processes without a prior `npm run build`.
 * Packages stay external and resolve from the repository's node_modules.
 */
export async function bundleForChild(entry: string, name: string): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const outfile = join(cacheDir, `${name}-${process.pid}.mjs`);
  await build({ entryPoints: [join(root, entry)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent' });
  return outfile;
}
