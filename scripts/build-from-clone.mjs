// Imported by bin/bazaarhub-check.js only when dist/ is missing, which happens in a fresh clone (the
// published package ships dist/, built by `prepack`). There is no `prepare` script, so nothing runs at
// install time for anyone; instead the first run from a clone builds dist/ here, once, with the
// clone's own TypeScript. Before `npm ci` there is no TypeScript (and no dependencies): say so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
if (!existsSync(join(root, 'src/cli/main.ts'))) {
  process.stderr.write('bazaarhub-check: this installation has no dist/ (a damaged package?): reinstall bazaarhub-check\n');
  process.exit(2);
}
if (!existsSync(tsc)) {
  process.stderr.write(`bazaarhub-check: ${root} is a clone without its dependencies: run \`npm ci\` there first (then \`npx bazaarhub-check demo\`)\n`);
  process.exit(2);
}
process.stderr.write('bazaarhub-check: first run from a clone: building dist/ (`npm run build`) ...\n');
const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 2, 2] });
const bundled = built.status === 0 && spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
const cached = bundled && bundled.status === 0 && spawnSync(process.execPath, [join(root, 'scripts/cache-help.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
if (built.status !== 0 || !cached || cached.status !== 0) {
  process.stderr.write('bazaarhub-check: the build failed (see above); fix it and run `npm run build`\n');
  process.exit(2);
}
