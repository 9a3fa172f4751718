/**
 * The GitHub Action's entry script run as a runner runs it (the GITHUB_* and RUNNER_* variables a
 * job has, inputs as the composite action passes them), and the GitLab template's command line run
 * as GitLab would, each through the real binary.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LOOPBACK_GUARD, ROOT, BIN } from '../helpers/cli.js';
import { exec } from '../helpers/exec.js';

const ACTION = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
const SCRIPT = join(ROOT, 'ci/github/action.mjs');
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A job's environment on a GitHub-hosted runner, in a fresh workspace. */
function runner(inputs: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'bazaarhub-runner-'));
  temps.push(root);
  const workspace = join(root, 'work/app/app');
  const runnerTemp = join(root, 'runner-temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(runnerTemp);
  const summary = join(runnerTemp, '_runner_file_commands/step_summary_1');
  const output = join(runnerTemp, '_runner_file_commands/set_output_1');
  mkdirSync(join(runnerTemp, '_runner_file_commands'));
  writeFileSync(summary, '');
  writeFileSync(output, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    GITHUB_REPOSITORY: 'bazaarhub/bazaarhub',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: 'refs/tags/v2.4.0',
    GITHUB_RUN_ID: '4242',
    GITHUB_EVENT_NAME: 'push',
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    NO_COLOR: '1',
    NODE_OPTIONS: LOOPBACK_GUARD,
    ...inputs,
  };
  const outputs = () => Object.fromEntries(readFileSync(output, 'utf8').trim().split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  return { workspace, runnerTemp, summary, env, outputs, run: () => exec(process.execPath, [SCRIPT], { cwd: workspace, env }) };
}

describe('action.yml', () => {
  it('is a composite action (no Docker) with the inputs, SARIF upload when asked, the report artifact, and the entry script', () => {
    expect(ACTION.runs.using).toBe('composite');
    expect(JSON.stringify(ACTION)).not.toMatch(/docker/i);
    expect(Object.keys(ACTION.inputs)).toEqual(expect.arrayContaining(['env-file', 'env-file-secret', 'environment', 'fail-on', 'formats', 'upload-sarif']));
    const steps = ACTION.runs.steps as Array<{ id?: string; uses?: string; if?: string; run?: string; env?: Record<string, string>; with?: Record<string, string> }>;
    const run = steps.find((step) => step.id === 'run')!;
    expect(run.run).toContain('ci/github/action.mjs');
    // Every input the script reads is passed to it (a composite action does not do that by itself).
    const read = new Set([...readFileSync(SCRIPT, 'utf8').matchAll(/env\.(BHC_[A-Z_]+)/g)].map((m) => m[1]));
    read.delete('BHC_BIN');
    expect(Object.keys(run.env!).sort()).toEqual([...read].sort());
    const sarif = steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(sarif.if).toContain("inputs.upload-sarif == 'true'");
    expect(sarif.if).toContain('always()');
    expect(sarif.with!.sarif_file).toBe('${{ steps.run.outputs.sarif-file }}');
    const artifact = steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!;
    expect(artifact.if).toContain('always()');
    expect(artifact.with!.path).toBe('${{ steps.run.outputs.report-dir }}');
  });

  it('the workflow `init` writes uses only inputs the action declares', () => {
    const workflow = parse(readFileSync(join(ROOT, 'ci/github/workflow.yml'), 'utf8'));
    const step = workflow.jobs.readiness.steps.find((s: { uses?: string }) => s.uses === 'ACTION_REF');
    expect(Object.keys(step.with).filter((input) => !(input in ACTION.inputs))).toEqual([]);
    expect(workflow.permissions['security-events']).toBe('write');
  });
});

describe('the action entry script under a runner environment', () => {
  it('not ready from a secret env file: markdown summary, SARIF, JSON, outputs, exit 1, and the secret nowhere but the mask', async () => {
    const secret = 'Sup3r-S3cret-jwt-value-from-actions';
    const job = runner({
      BHC_ENV_FILE_SECRET: `NODE_ENV=production\nJWT_SECRET=${secret}\nDATABASE_URL=postgres://app:${secret}-db@127.0.0.1:9/app`,
      BHC_ENVIRONMENT: 'production',
      BHC_FAIL_ON: 'high',
      BHC_FORMATS: 'junit',
      BHC_UPLOAD_SARIF: 'true',
      BHC_ARGS: '--only env. --quiet',
    });
    const { code, stdout, stderr } = await job.run();
    expect(code, stderr).toBe(1);
    const summary = readFileSync(job.summary, 'utf8');
    expect(summary).toContain('# Deployment readiness: NOT READY');
    expect(summary).toContain('pre-deployment.security.generate-strong-encryption-key');
    const outputs = job.outputs();
    expect(outputs).toMatchObject({ 'exit-code': '1', verdict: 'not-ready' });
    expect(JSON.parse(readFileSync(outputs['json-file']!, 'utf8'))).toMatchObject({ verdict: 'not-ready', exitCode: 1 });
    expect(JSON.parse(readFileSync(outputs['sarif-file']!, 'utf8')).version).toBe('2.1.0');
    expect(readdirSync(outputs['report-dir']!).sort()).toEqual(['bazaarhub-check.json', 'bazaarhub-check.md', 'bazaarhub-check.sarif', 'bazaarhub-check.xml']);
    // The secret file is gone; the value was registered for masking and appears nowhere else.
    expect(readdirSync(join(job.runnerTemp, 'bazaarhub-check-production'))).toEqual(['reports']);
    expect(stdout).toContain(`::add-mask::${secret}\n`);
    expect(stdout).toContain(`::add-mask::${secret}-db\n`);
    const unmasked = stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
    for (const text of [unmasked, stderr, summary, ...readdirSync(outputs['report-dir']!).map((file) => readFileSync(join(outputs['report-dir']!, file), 'utf8'))]) expect(text).not.toContain(secret);
    // On Actions the tool also annotates the failing checks.
    expect(stdout).toMatch(/^::error .*title=.*JWT|^::error /m);
  }, 60_000);

  it('ready from an env file in the workspace: exit 0, no SARIF unless asked', async () => {
    const job = runner({ BHC_ENV_FILE: 'deploy/.env.staging', BHC_ENVIRONMENT: 'staging', BHC_ARGS: '--only env. --quiet' });
    mkdirSync(join(job.workspace, 'deploy'));
    writeFileSync(join(job.workspace, 'deploy/.env.staging'), readFileSync(join(ROOT, 'test/fixtures/good.env')));
    const { code, stderr } = await job.run();
    expect(code, stderr).toBe(0);
    expect(job.outputs()).toMatchObject({ 'exit-code': '0', verdict: 'ready', 'sarif-file': '' });
    expect(readFileSync(job.summary, 'utf8')).toMatch(/^\*\*Environment:\*\* staging\n\n# Deployment readiness: READY/);
  }, 60_000);

  it('an input error fails the step with exit 2 and says so in the summary', async () => {
    const job = runner({ BHC_ENV_FILE: 'missing.env' });
    const { code, stderr } = await job.run();
    expect(stderr).toContain('missing.env');
    expect(code).toBe(2);
    expect(job.outputs()).toMatchObject({ 'exit-code': '2', verdict: 'unknown', 'json-file': '' });
    expect(readFileSync(job.summary, 'utf8')).toContain('exited 2 before writing a report');
  });

  it('outside a runner it refuses with one line', async () => {
    const { code, stdout } = await exec(process.execPath, [SCRIPT], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    expect(stdout).toBe('::error title=bazaarhub-check::GITHUB_STEP_SUMMARY is not set: this script runs inside a GitHub Actions job (action.yml)\n');
    expect(code).toBe(2);
  });
});

describe('the GitLab CI template', () => {
  it("publishes JUnit and Code Quality reports, and its command line produces both in GitLab's formats", async () => {
    const template = readFileSync(join(ROOT, 'ci/gitlab/bazaarhub-check.gitlab-ci.yml'), 'utf8');
    const job = parse(template)['bazaarhub-check'];
    expect(job.artifacts).toMatchObject({ when: 'always', reports: { junit: 'bazaarhub-junit.xml', codequality: 'gl-code-quality-report.json' } });
    const line = (job.script as string[]).find((step) => step.includes('bazaarhub-check run'))!;
    const dir = mkdtempSync(join(tmpdir(), 'bazaarhub-gitlab-'));
    temps.push(dir);
    const envFile = join(dir, 'BAZAARHUB_ENV_PRODUCTION');
    writeFileSync(envFile, 'NODE_ENV=production\nJWT_SECRET=short\n');
    const variables: Record<string, string> = { ...job.variables, BAZAARHUB_ENV_PRODUCTION: envFile, BAZAARHUB_ARGS: '--only env. --quiet' };
    const words = line.trim().replace(/^npx --no-install bazaarhub-check /, '').split(/\s+/).flatMap((word) => {
      const expanded = word.replace(/^"?\$([A-Z_]+)"?$/, (_, name: string) => `\u0000${variables[name] ?? ''}`);
      return expanded.startsWith('\u0000') ? (word.startsWith('"') ? [expanded.slice(1)] : expanded.slice(1).split(/\s+/).filter(Boolean)) : [expanded];
    });
    const { code, stderr } = await exec(process.execPath, ['--', BIN, ...words], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD, CI: 'true', GITLAB_CI: 'true' } });
    expect(code, stderr).toBe(1);
    expect(readFileSync(join(dir, 'bazaarhub-junit.xml'), 'utf8')).toMatch(/^<\?xml[^>]*>\n(?:<!--.*-->\n)?<testsuites /);
    const issues = JSON.parse(readFileSync(join(dir, 'gl-code-quality-report.json'), 'utf8')) as Array<Record<string, any>>;
    expect(issues.length).toBeGreaterThan(3);
    // GitLab's required fields (docs: "Code Quality report format").
    for (const issue of issues) {
      expect(typeof issue.description).toBe('string');
      expect(typeof issue.check_name).toBe('string');
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(issue.severity);
      expect(typeof issue.location.path).toBe('string');
      expect(Number.isInteger(issue.location.lines.begin)).toBe(true);
    }
    expect(new Set(issues.map((issue) => issue.fingerprint)).size).toBe(issues.length);
    const jwt = issues.find((issue) => issue.description.startsWith('Generate strong JWT_SECRET'))!;
    expect(jwt).toMatchObject({ severity: 'blocker', check_name: 'env.secret-strength', location: { lines: { begin: expect.any(Number) } } });
    expect(jwt.location.path).toMatch(/checklists\/deployment\.md$/);
    expect(existsSync(join(dir, 'bazaarhub-report.json'))).toBe(true);
  }, 60_000);
});
