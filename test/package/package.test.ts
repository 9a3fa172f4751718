/**
 * The package as a user gets it: a copy of the repository as a fresh clone (tracked files only, no
 * node_modules, no dist), `npx bazaarhub-check` there before any install, the first run after the
 * dependencies are in, then `npm pack` (prepack builds) and the tarball installed into an empty
 * project and globally (a temporary --prefix), each outside this repository so nothing resolves
 * through its node_modules. Dependencies come from the registry through the shared npm cache.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_GUARD, ROOT } from '../helpers/cli.js';
import { exec } from '../helpers/exec.js';

const NPM_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
/** The installed tool runs under the loopback guard like every binary a test starts. */
const TOOL_ENV = { PATH: NPM_ENV.PATH, HOME: NPM_ENV.HOME, NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD };

let work: string;
let clone: string;
let tarball: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bazaarhub-package-'));
  clone = join(work, 'clone');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
    await mkdir(dirname(join(clone, file)), { recursive: true });
    await cp(join(ROOT, file), join(clone, file));
  }
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function installedFiles(dir: string): Promise<string[]> {
  return readdir(dir, { recursive: true });
}

describe('a fresh clone', () => {
  it('npx before npm ci: one clear line, exit 2, and npx still works afterwards', async () => {
    const npx = ['--yes', '--cache', join(work, 'npx-cache'), 'bazaarhub-check', '--help'];
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await exec('npx', npx, { cwd: clone, env: NPM_ENV });
      expect(result.stderr).toContain('is a clone without its dependencies: run `npm ci` there first');
      expect(result.stderr).not.toMatch(/ENOENT|ERR_MODULE_NOT_FOUND|prepare/);
      expect(result.code).toBe(2);
    }
    expect(existsSync(join(clone, 'dist'))).toBe(false);
  });

  it('after the dependencies are in (npm ci), the first npx run builds dist/ and runs', async () => {
    // What `npm ci` leaves: node_modules and nothing else (no lifecycle script builds anything).
    await symlink(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const result = await exec('npx', ['--yes', '--cache', join(work, 'npx-cache'), 'bazaarhub-check', '--version'], { cwd: clone, env: NPM_ENV });
    expect(result.stderr).toContain('first run from a clone: building dist/');
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(result.code).toBe(0);
    expect(existsSync(join(clone, 'dist/src/cli/main.js'))).toBe(true);
    const demo = await exec('npx', ['--yes', '--cache', join(work, 'npx-cache'), 'bazaarhub-check', 'demo', '--quiet', '--format', 'json'], { cwd: clone, env: { ...NPM_ENV, NODE_OPTIONS: LOOPBACK_GUARD } });
    expect(demo.code).toBe(0);
    expect(JSON.parse(demo.stdout).results.length).toBeGreaterThan(100);
  }, 180_000);

  it('npm pack builds through prepack and ships only what a user needs', async () => {
    await rm(join(clone, 'dist'), { recursive: true, force: true });
    const packed = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: clone, env: NPM_ENV, timeoutMs: 180_000 });
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(work, info!.filename);
    const paths = info!.files.map((file) => file.path);
    for (const needed of ['bin/bazaarhub-check.js', 'dist/src/cli/main.js', 'dist/src/standins/postgres.js', 'dist/checks/http/hsts.js', 'dist/fast-output.json', 'bazaarhub-checks.yaml', 'checklists/deployment.md', 'README.md', 'LICENSE', 'package.json', 'action.yml', 'ci/github/action.mjs', 'ci/gitlab/bazaarhub-check.gitlab-ci.yml']) {
      expect(paths).toContain(needed);
    }
    expect(paths.filter((path) => /^(test|src|bench|scripts|\.ci)\//.test(path) || path.endsWith('.map') || path.endsWith('.ts') || /fixture/i.test(path))).toEqual([]);
    const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { scripts: Record<string, string> };
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts[script]).toBeUndefined();
  }, 240_000);
});

describe('the packed tarball', () => {
  const checkInstalled = async (bin: string, cwd: string, installRoot: string) => {
    const help = await exec(bin, ['--help'], { cwd, env: TOOL_ENV });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^ {2}demo\b/m);
    expect(help.stdout).toContain('Exit codes:');

    const demo = await exec(bin, ['demo', '--quiet', '--format', 'json'], { cwd, env: TOOL_ENV, timeoutMs: 120_000 });
    expect(demo.code, demo.stderr).toBe(0);
    const demoReport = JSON.parse(demo.stdout);
    expect(demoReport.results.length).toBeGreaterThan(100);
    expect(demoReport.summary.pass).toBeGreaterThan(20);
    // The bundled catalog and checklist, named as such, from inside the installation.
    expect(demoReport.inputs).toEqual(expect.objectContaining({ catalogBundled: true, checklistBundled: true }));
    expect(demoReport.inputs.catalog.startsWith(installRoot)).toBe(true);

    await writeFile(join(cwd, '.env.production'), 'NODE_ENV=production\nJWT_SECRET=short\n');
    const run = await exec(bin, ['run', '--env-file', '.env.production', '--only', 'env.', '--quiet'], { cwd, env: TOOL_ENV });
    expect(run.stdout).toContain('NOT READY (exit 1)');
    expect(run.stdout).toMatch(/catalog \S+bazaarhub-checks\.yaml \(bundled\)/);
    expect(run.stdout).toContain('ledger bazaarhub-attestations.jsonl');
    expect(run.stdout).toContain('pre-deployment.security.generate-strong-jwt-secret');
    expect(run.code).toBe(1);
  };

  it('works after `npm install ./bazaarhub-check-<version>.tgz` into an empty project (no build step there)', async () => {
    expect(tarball, 'npm pack ran').toBeTruthy();
    const app = join(work, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    const installed = await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env: NPM_ENV, timeoutMs: 300_000 });
    expect(installed.code, installed.stderr).toBe(0);
    const packageDir = join(app, 'node_modules/bazaarhub-check');
    expect((await installedFiles(packageDir)).some((file) => file.startsWith('test'))).toBe(false);
    await checkInstalled(join(app, 'node_modules/.bin/bazaarhub-check'), app, packageDir);
    // A user's own catalog in the working directory wins over the bundled one.
    await cp(join(packageDir, 'bazaarhub-checks.yaml'), join(app, 'bazaarhub-checks.yaml'));
    const own = await exec(join(app, 'node_modules/.bin/bazaarhub-check'), ['run', '--env-file', '.env.production', '--only', 'env.', '--format', 'json'], { cwd: app, env: TOOL_ENV });
    expect(JSON.parse(own.stdout).inputs).toEqual(expect.objectContaining({ catalog: 'bazaarhub-checks.yaml', catalogBundled: false, ledger: 'bazaarhub-attestations.jsonl' }));
  }, 400_000);

  it('works after `npm install -g` (a temporary --prefix)', async () => {
    expect(tarball, 'npm pack ran').toBeTruthy();
    const prefix = join(work, 'global');
    const installed = await exec('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, env: NPM_ENV, timeoutMs: 300_000 });
    expect(installed.code, installed.stderr).toBe(0);
    const cwd = join(work, 'elsewhere');
    await mkdir(cwd);
    await checkInstalled(join(prefix, 'bin/bazaarhub-check'), cwd, join(prefix, 'lib/node_modules/bazaarhub-check'));
  }, 400_000);
});
