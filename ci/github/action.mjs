#!/usr/bin/env node
// The entry script of action.yml: runs `bazaarhub-check run` the way a workflow wants it and hands the
// results to the runner. Inputs arrive as BHC_* variables (a composite action passes them by hand);
// the runner's own GITHUB_* variables say where the summary, outputs and temp space are.
//   - the env file: BHC_ENV_FILE (a path in the workspace) or BHC_ENV_FILE_SECRET (the file's content,
//     from a secret), written to RUNNER_TEMP with mode 0600 and deleted afterwards;
//   - reports: markdown (appended to GITHUB_STEP_SUMMARY) and json (kept as an artifact) always, plus
//     BHC_FORMATS, plus sarif when BHC_UPLOAD_SARIF=true;
//   - outputs: exit-code, verdict, report-dir, json-file, sarif-file;
//   - exit code: the tool's, so the step fails exactly when `run` does.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = process.env;
const fail = (message) => {
  process.stdout.write(`::error title=bazaarhub-check::${message}\n`);
  process.exit(2);
};
for (const name of ['GITHUB_STEP_SUMMARY', 'GITHUB_OUTPUT', 'RUNNER_TEMP']) if (!env[name]) fail(`${name} is not set: this script runs inside a GitHub Actions job (action.yml)`);

const EXTENSION = { markdown: 'md', json: 'json', sarif: 'sarif', junit: 'xml', html: 'html', checklist: 'md', codequality: 'codequality.json', prometheus: 'prom' };
const environment = (env.BHC_ENVIRONMENT || 'production').trim();
if (!/^[A-Za-z0-9._-]+$/.test(environment)) fail(`environment "${environment}": use letters, digits, dots, dashes and underscores`);
const formats = new Set(['markdown', 'json', ...(env.BHC_FORMATS ?? '').split(',').map((f) => f.trim()).filter(Boolean)]);
if (env.BHC_UPLOAD_SARIF === 'true') formats.add('sarif');
for (const format of formats) if (!EXTENSION[format] || format === 'terminal') fail(`formats: unknown format "${format}" (known: ${Object.keys(EXTENSION).join(', ')})`);

const work = join(env.RUNNER_TEMP, `bazaarhub-check-${environment}`);
const reportDir = join(work, 'reports');
rmSync(work, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

let envFile = env.BHC_ENV_FILE?.trim() || '';
let secretFile;
if (env.BHC_ENV_FILE_SECRET) {
  if (envFile) fail('give env-file or env-file-secret, not both');
  secretFile = join(work, `.env.${environment}`);
  writeFileSync(secretFile, env.BHC_ENV_FILE_SECRET.endsWith('\n') ? env.BHC_ENV_FILE_SECRET : `${env.BHC_ENV_FILE_SECRET}\n`, { mode: 0o600 });
  envFile = secretFile;
  maskSecrets(env.BHC_ENV_FILE_SECRET);
} else if (!envFile) {
  envFile = `.env.${environment}`;
}

const file = (format) => join(reportDir, `bazaarhub-check.${EXTENSION[format]}`);
const args = ['run', '--env-file', envFile, '--fail-on', env.BHC_FAIL_ON || 'high', '--format', 'markdown', '--out', file('markdown')];
for (const format of formats) if (format !== 'markdown') args.push('--report', `${format}=${file(format)}`);
args.push(...splitArgs(env.BHC_ARGS ?? ''));

const bin = env.BHC_BIN || join(env.GITHUB_ACTION_PATH || resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'bin/bazaarhub-check.js');
const { BHC_ENV_FILE_SECRET: _content, ...childEnv } = env; // the tool reads the file, not the secret
const result = spawnSync(process.execPath, ['--', bin, ...args], { stdio: 'inherit', env: childEnv });
if (secretFile) rmSync(secretFile, { force: true });
const code = result.status ?? 3;

let verdict = 'unknown';
if (existsSync(file('json'))) {
  try {
    verdict = JSON.parse(readFileSync(file('json'), 'utf8')).verdict;
  } catch {
    // the tool failed before writing a full report; its exit code says why
  }
}
const summary = existsSync(file('markdown'))
  ? readFileSync(file('markdown'), 'utf8')
  : `# bazaarhub-check: no report\n\n\`bazaarhub-check run\` exited ${code} before writing a report (an input error: see the step's log).\n`;
appendFileSync(env.GITHUB_STEP_SUMMARY, `${environment === 'production' ? '' : `**Environment:** ${environment}\n\n`}${summary}\n`);
const outputs = {
  'exit-code': String(code),
  verdict,
  'report-dir': reportDir,
  'json-file': existsSync(file('json')) ? file('json') : '',
  'sarif-file': formats.has('sarif') && existsSync(file('sarif')) ? file('sarif') : '',
};
appendFileSync(env.GITHUB_OUTPUT, Object.entries(outputs).map(([key, value]) => `${key}=${value}\n`).join(''));
process.exit(code);

/** Registers each credential of the env file with the runner's log masking (GitHub masks a multi-line secret line by line only). */
function maskSecrets(text) {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const value = match[2].replace(/^(['"])(.*)\1$/, '$2');
    const secrets = [];
    if (/SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|AUTH|DSN|API_KEY|ACCESS_KEY|_KEY$/i.test(match[1]) && value.length >= 4) secrets.push(value);
    try {
      const url = new URL(value);
      if (url.password) secrets.push(decodeURIComponent(url.password), url.password);
    } catch {
      // not a URL
    }
    for (const secret of secrets) process.stdout.write(`::add-mask::${secret}\n`);
  }
}

/** `--cadence daily --only "http."`: whitespace-separated, with simple quotes; no shell. */
function splitArgs(text) {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}
