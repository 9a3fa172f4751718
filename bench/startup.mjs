// Start-up (issue 16.1): whole processes, interleaved run by run, min/median/max; `run --only env.`
// against `node -e 0`, and the start-up of a full run (process start to its first probe).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, cells, interleaved, ms, ratio, root, spread, table, timeProcess, timeRun, verdict } from './lib.mjs';

/** The SDKs a run must load only when a probe that needs them is selected (issue 16.1). */
export const NETWORK_SDKS = ['pg', 'ioredis', '@elastic/elasticsearch', '@aws-sdk/client-s3'];
const OTHER_HEAVY = ['razorpay', 'nodemailer', 'smtp-server', 'node-forge', 'listr2'];

/**
 * test/fixtures/good.env without anything live to contact: no service URL (env.flags and
 * env.cors-origins compare with the live deployment through them) and no database (env.db-pool
 * compares DB_POOL_MAX with a live DATABASE_URL / DB_*). The rest (Redis, Elasticsearch, S3, ...
 * settings) is only read by the env probes.
 */
export function envOnlyFile(dir) {
  const text = readFileSync(join(root, 'test/fixtures/good.env'), 'utf8').replace(/^(APP_URL|API_BASE_URL|STOREFRONT_URL|VENDOR_PANEL_URL|ADMIN_PANEL_URL|[A-Z_]+_HTTP_URL|DATABASE_URL|DB_HOST|DB_PORT|DB_NAME|DB_USER|DB_PASSWORD|DB_SSL)=.*\n/gm, '');
  const file = join(dir, 'env-only.env');
  writeFileSync(file, text);
  return file;
}

/** Package names with the micromark/mdast/unist families folded, e.g. `micromark-* (27)`. */
export function packageList(names) {
  const families = ['micromark', 'mdast-util', 'unist-util', '@smithy', '@aws-sdk', '@aws-crypto'];
  const out = names.filter((name) => !families.some((family) => name.startsWith(family)));
  for (const family of families) {
    const members = names.filter((name) => name.startsWith(family));
    if (members.length) out.push(members.length === 1 ? members[0] : `${family}${family.startsWith('@') ? '/*' : '-*'} (${members.length})`);
  }
  return out.join(', ');
}

/** The npm packages `node <args>` imports (bench/module-log.mjs: ESM resolution and CJS require). */
export function packagesLoaded(args) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-modules-'));
  const log = join(dir, 'modules.txt');
  writeFileSync(log, '');
  try {
    timeProcess(['--import', join(root, 'bench/module-log.mjs'), ...args], { env: { BENCH_MODULE_LOG: log }, ok: [0, 1, 3] });
    return [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startupSection({ deployment, runs }) {
  const dep = await deployment();
  const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    const envOnly = envOnlyFile(dir);
    const commands = [
      { label: '`node -e 0` (baseline)', args: ['-e', '0'] },
      { label: '`--help`', args: ['--', bin, '--help'] },
      { label: '`list`', args: ['--', bin, 'list'] },
      { label: '`catalog check`', args: ['--', bin, 'catalog', 'check'] },
      { label: '`run --only env.` (env file only, nothing live)', run: ['run', '--only', 'env.', '--no-manual', '--env', envOnly] },
      { label: '`run` (full catalog, benchmark deployment)', run: ['run', '--no-manual', '--env', dep.envFile, '--ca', dep.caFile] },
      { label: '`run --only env.`, first run (empty cache: no code cache, catalog parsed)', run: ['run', '--only', 'env.', '--no-manual', '--env', envOnly], freshCache: true },
    ];
    const measure = (command) => {
      if (!command.run) return timeProcess(command.args);
      if (!command.freshCache) return timeRun(command.run);
      const cacheHome = mkdtempSync(join(tmpdir(), 'bench-cache-'));
      try {
        return timeRun(command.run, { env: { XDG_CACHE_HOME: cacheHome } });
      } finally {
        rmSync(cacheHome, { recursive: true, force: true });
      }
    };
    const samples = interleaved(commands, runs, measure);
    const walls = samples.map((list) => spread(list.map((s) => s.wallMs)));
    const baseline = walls[0].median;
    const rows = commands.map((command, i) => {
      const startup = command.run ? spread(samples[i].map((s) => s.startupMs)) : undefined;
      const runner = command.run ? spread(samples[i].map((s) => s.runMs)) : undefined;
      return [command.label, ...cells(walls[i]), ratio(walls[i].median / baseline), startup ? cells(startup).join(' / ') : '', runner ? ms(runner.median) : '', ms(spread(samples[i].map((s) => s.cpuMs)).median)];
    });
    const envRow = walls[4];
    const envRatio = envRow.median / baseline;
    const helpRatio = walls[1].median / baseline;
    const fullStartup = spread(samples[5].map((s) => s.startupMs));
    const envStartup = spread(samples[4].map((s) => s.startupMs));
    const envResults = samples[4][0].report.results;
    // env.flags writes `live: ...` (also `(live: <why not>, ...)` after trying) when it looked at the deployment.
    const live = envResults.filter((result) => /\blive: /.test(result.observed));

    const listed = [
      ['`--help`', ['--', bin, '--help']],
      ['`list`', ['--', bin, 'list']],
      ['`catalog check`', ['--', bin, 'catalog', 'check']],
      ['`run --only env.`', ['--', bin, 'run', '--only', 'env.', '--no-manual', '--env', envOnly, '--quiet']],
      ['`run --only postgres.`', ['--', bin, 'run', '--only', 'postgres.', '--no-manual', '--env', dep.envFile, '--ca', dep.caFile, '--quiet']],
      ['`run` (full catalog)', ['--', bin, 'run', '--no-manual', '--env', dep.envFile, '--ca', dep.caFile, '--quiet']],
    ].map(([label, args]) => {
      const logged = packagesLoaded(args);
      const loaded = logged.filter((name) => !name.startsWith('checks/'));
      const probeFiles = logged.filter((name) => name.startsWith('checks/') && !/\/index\.js$/.test(name));
      const heavy = loaded.filter((name) => NETWORK_SDKS.includes(name) || OTHER_HEAVY.includes(name));
      const network = loaded.filter((name) => NETWORK_SDKS.includes(name));
      return { label, loaded, heavy, network, probeFiles };
    });
    const envLoaded = listed.find((entry) => entry.label === '`run --only env.`');

    return {
      title: `Start-up (min / median / max of ${runs} interleaved runs)`,
      body: [
        `Each round runs every command once, in this order, as a whole process (\`spawnSync\`, wall time from spawn to exit; CPU is user + sys from GNU time, which wraps every command alike). *Start-up to first probe* is the process start to the runner starting its first probe: the JSON report's \`generatedAt\` (stamped when the report is built, right after the runner returns, so this is an upper bound by a few ms) minus its \`durationMs\` (the runner's own duration), minus the moment the benchmark spawned the process; it needs no change to the product and has 1 ms resolution. Modules a probe imports only when it starts count in the runner's time, not in start-up. \`run --only env.\` uses test/fixtures/good.env without the service URLs and without DATABASE_URL/DB_* (the variables through which env.flags, env.cors-origins and env.db-pool compare with a live deployment), so it contacts nothing; ${live.length === 0 ? 'none of its findings reports a live comparison' : `**but ${live.length} finding(s) report a live comparison**`}. The full run is the bundled catalog (no manual items) against the benchmark deployment (its stand-ins run in a separate process).`,
        '',
        table(['command', 'min', 'median', 'max', '× node (median)', 'start-up to first probe (min / median / max)', 'runner (median)', 'CPU (median)'], rows),
        '',
        `Target: \`run --only env.\` within 3× of \`node -e 0\`: ${verdict(envRatio <= 3)} (${ratio(envRatio)}: ${ms(envRow.median)} against ${ms(baseline)}; of it, ${ms(envStartup.median)} start-up before the first probe).`,
        `Target: \`--help\` within 1.5× of \`node -e 0\`: ${verdict(helpRatio <= 1.5)} (${ratio(helpRatio)}).`,
        `Start-up of a full run (process start to its first probe): ${cells(fullStartup).join(' / ')} (min / median / max), ${ratio(fullStartup.median / baseline)} \`node -e 0\`; reported, no target.`,
        `The binary runs dist/cli.cjs with the code V8 compiled for the same command the previous time (docs/DESIGN-NOTES.md), so each command's first round here is a first run and the others read the cache; the last row is a first run every time (a new, empty XDG_CACHE_HOME), as after an install or a rebuild: ${ms(walls[6].median)} median, ${ratio(walls[6].median / baseline)} \`node -e 0\`; reported, no target.`,
        '',
        'Packages each command loads (bench/module-log.mjs; ESM resolution and CommonJS require, first-level package names):',
        '',
        table(
          ['command', 'probe modules (dist/checks)', 'packages loaded', 'heavy SDKs'],
          listed.map(({ label, loaded, heavy, probeFiles }) => [label, String(probeFiles.length), packageList(loaded) || '(none)', heavy.length ? `**${heavy.join(', ')}**` : 'none']),
        ),
        '',
        `Target: \`run --only env.\` loads none of ${NETWORK_SDKS.join(', ')}: ${verdict(envLoaded.network.length === 0)}${envLoaded.network.length ? ` (loaded: ${envLoaded.network.join(', ')})` : ''}.`,
      ].join('\n'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
