import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

const FORMATS = ['json', 'markdown', 'junit', 'sarif', 'html', 'checklist', 'codequality', 'prometheus'];

describe('which files a run uses (real binary)', () => {
  it('outside a repository: the bundled catalog and checklist, named as such in every format', async () => {
    await withTempDir(async (dir) => {
      writeFileSync(join(dir, 'prod.env'), 'NODE_ENV=production\n');
      const reports = FORMATS.flatMap((format) => ['--report', `${format}=${join(dir, 'out', format)}`]);
      const { code, stdout } = await runCli(['run', '--env-file', 'prod.env', '--only', 'env.flags', ...reports], { cwd: dir });
      expect(code).toBe(1);
      const bundledCatalog = join(ROOT, 'bazaarhub-checks.yaml');
      expect(stdout).toContain(`catalog ${bundledCatalog} (bundled) · checklist ${join(ROOT, 'checklists/deployment.md')} (bundled) · ledger bazaarhub-attestations.jsonl`);
      for (const format of FORMATS) expect(readFileSync(join(dir, 'out', format), 'utf8'), format).toContain(bundledCatalog);
      expect(JSON.parse(readFileSync(join(dir, 'out', 'json'), 'utf8')).inputs).toEqual({ catalog: bundledCatalog, checklist: join(ROOT, 'checklists/deployment.md'), ledger: 'bazaarhub-attestations.jsonl', catalogBundled: true, checklistBundled: true });
    });
  });

  it("a catalog in the working directory wins, with the checklist it names and the ledger beside it; flags win over both", async () => {
    await withTempDir(async (dir) => {
      mkdirSync(join(dir, 'ops'));
      copyFileSync(join(ROOT, 'checklists/deployment.md'), join(dir, 'ops/list.md'));
      writeFileSync(join(dir, 'bazaarhub-checks.yaml'), readFileSync(join(ROOT, 'bazaarhub-checks.yaml'), 'utf8').replace('checklist: checklists/deployment.md', 'checklist: ops/list.md'));
      writeFileSync(join(dir, 'prod.env'), 'NODE_ENV=production\n');
      const own = await runCli(['run', '--env-file', 'prod.env', '--only', 'env.flags', '--format', 'json'], { cwd: dir });
      expect(JSON.parse(own.stdout).inputs).toEqual({ catalog: 'bazaarhub-checks.yaml', checklist: 'ops/list.md', ledger: 'bazaarhub-attestations.jsonl', catalogBundled: false, checklistBundled: false });
      const flagged = await runCli(['run', '--env-file', 'prod.env', '--only', 'env.flags', '--format', 'json', '--no-manual', '--checklist', 'ops/list.md', '--catalog', join(ROOT, 'bazaarhub-checks.yaml')], { cwd: dir });
      expect(JSON.parse(flagged.stdout).inputs).toEqual({ catalog: join(ROOT, 'bazaarhub-checks.yaml'), checklist: 'ops/list.md', ledger: null, catalogBundled: false, checklistBundled: false });
      // catalog sync never writes into the package: without a catalog here it creates ./bazaarhub-checks.yaml.
      await withTempDir(async (empty) => {
        copyFileSync(join(ROOT, 'checklists/deployment.md'), join(empty, 'DEPLOYMENT_CHECKLIST.md'));
        const synced = await runCli(['catalog', 'sync'], { cwd: empty });
        expect(synced.code, synced.stderr).toBe(0);
        expect(synced.stdout).toMatch(/^created bazaarhub-checks\.yaml/);
        expect(readFileSync(join(empty, 'bazaarhub-checks.yaml'), 'utf8')).toContain('checklist: DEPLOYMENT_CHECKLIST.md');
      });
    });
  });
});
