import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type RunningDns } from '../../src/standins/dns.js';
import { startPgFixture, type PgFixture } from '../helpers/pg-server.js';
import { REDIS_PASSWORD, startRedisFixture, type RedisFixture } from '../helpers/redis-server.js';
import { runCli, withTempDir } from '../helpers/cli.js';

let web: Server;
let webUrl = '';
const methods: string[] = [];
let closedPort = 0;
let dns: RunningDns;
let pg: PgFixture;
let redis: RedisFixture;

beforeAll(async () => {
  web = createServer((req, res) => {
    methods.push(`${req.method} ${req.url}`);
    if (req.url === '/api/v1/status') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-frame-options': 'DENY' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: 'ok', version: '2.4.1', db: { up: true } }));
      return;
    }
    if (req.url === '/admin') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<h1>Admin login</h1>');
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  const spare = createServer();
  closedPort = await new Promise<number>((resolve) => spare.listen(0, '127.0.0.1', () => resolve((spare.address() as AddressInfo).port)));
  await new Promise((resolve) => spare.close(resolve));
  dns = await startDnsServer({
    'bazaarhub.test': { A: ['127.0.0.1'], TXT: ['v=spf1 include:_spf.mailer.test -all', 'google-site-verification=abc'], MX: [{ priority: 10, exchange: 'mx1.mailer.test' }], CAA: [{ tag: 'issue', value: 'letsencrypt.org' }] },
    '_dmarc.shop.bazaarhub.test': { TXT: ['v=spf1 -all'] },
  });
  [pg, redis] = await Promise.all([startPgFixture(), startRedisFixture()]);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => web?.close(resolve));
  await dns?.close();
  await pg?.stop();
  await redis?.stop();
});

const entry = (id: string, probe: string, params: string) => `  - id: g.${id}\n    title: ${id}\n    phase: g\n    cadence: per-release\n    severity: high\n    probe: ${probe}\n    params: ${params}\n`;

async function run(entries: string[], args: string[] = [], env: Record<string, string> = {}) {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, 'c.yaml'), `version: 1\nchecklist: none.md\nentries:\n${entries.join('')}`);
    await writeFile(join(dir, 'ca.pem'), pg.ca);
    await writeFile(
      join(dir, 'app.env'),
      [`APP_URL=${webUrl}`, `DATABASE_URL=${pg.dsn('app', 'shop_good', { sslmode: 'require' })}`, `REDIS_URL=${redis.url(redis.primary, REDIS_PASSWORD)}`, 'MAIL_FROM=orders@bazaarhub.test'].join('\n'),
    );
    const result = await runCli(['run', '--catalog', 'c.yaml', '--env-file', 'app.env', '--ca', 'ca.pem', '--format', 'json', ...args], { cwd: dir, env });
    return { ...result, statuses: result.stdout.startsWith('{') ? Object.fromEntries((JSON.parse(result.stdout).results as Array<{ id: string; status: string; observed: string }>).map((r) => [r.id.slice(2), `${r.status}: ${r.observed}`])) : {} };
  });
}

describe('checks written in YAML (real binary, real servers on 127.0.0.1)', () => {
  it('http.request: status, headers, body and JSON pointers pass and fail; only read-only methods are ever sent', async () => {
    const { statuses, stdout } = await run([
      entry('status-ok', 'http.request', `{ path: /api/v1/status, expect: { status: 200, headers: { x-frame-options: { equals: DENY }, x-powered-by: { present: false } }, body: { json: [{ pointer: /status, equals: ok }, { pointer: /db/up, equals: true }, { pointer: /version, matches: '^2\\.' }] }, maxMs: 5000 } }`),
      entry('head', 'http.request', `{ method: HEAD, url: '\${APP_URL}/api/v1/status', expect: { status: 200 } }`),
      entry('admin-not-public', 'http.request', `{ path: /admin, expect: { status: [401, 403, 404] } }`),
      entry('wrong-json', 'http.request', `{ path: /api/v1/status, expect: { body: { json: [{ pointer: /db/up, equals: false }, { pointer: /missing }] } } }`),
    ]);
    expect(statuses['status-ok']).toMatch(/^pass: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/status: 200 in \d+ ms, as expected/);
    expect(statuses.head).toMatch(/^pass: HEAD /);
    expect(statuses['admin-not-public']).toMatch(/^fail: GET .*\/admin: 200 .*status 200, expected 401 or 403 or 404/);
    expect(statuses['wrong-json']).toMatch(/^fail: .*JSON \/db\/up is true, expected false; JSON \/missing is missing/);
    expect(JSON.parse(stdout).results[0].expected).toContain('x-frame-options = "DENY"');
    expect(methods.every((line) => /^(GET|HEAD|OPTIONS) /.test(line))).toBe(true);
  });

  it('http.request refuses a writing method at load, naming the line', async () => {
    const { code, stderr } = await run([entry('post', 'http.request', `{ method: POST, path: /api/v1/orders }`)]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/c\.yaml:10: entry "g\.post": params\.method: Invalid enum value\. Expected 'GET' \| 'HEAD' \| 'OPTIONS', received 'POST'/);
  });

  it('tcp.port: open and closed, each passing and failing', async () => {
    const { statuses } = await run([
      entry('open', 'tcp.port', `{ port: ${new URL(webUrl).port} }`),
      entry('closed', 'tcp.port', `{ host: 127.0.0.1, port: ${closedPort}, expect: closed }`),
      entry('should-be-closed', 'tcp.port', `{ host: '\${APP_URL.host}', port: ${new URL(webUrl).port}, expect: closed }`),
      entry('should-be-open', 'tcp.port', `{ host: 127.0.0.1, port: ${closedPort} }`),
    ]);
    expect(statuses.open).toMatch(/^pass: 127\.0\.0\.1:\d+ accepted a connection/);
    expect(statuses.closed).toMatch(/^pass: .*connection refused/);
    expect(statuses['should-be-closed']).toMatch(/^fail: .*accepted a connection: the port is reachable/);
    expect(statuses['should-be-open']).toMatch(/^fail: .*connection refused/);
  });

  it('dns.record: TXT (SPF, DMARC), MX and CAA through a given resolver', async () => {
    const { statuses } = await run([
      entry('spf', 'dns.record', `{ name: '\${MAIL_FROM.domain}', type: TXT, resolver: '${dns.server}', expect: { matches: '^v=spf1 ' } }`),
      entry('mx', 'dns.record', `{ name: bazaarhub.test, type: MX, resolver: '${dns.server}', expect: { includes: ['10 mx1.mailer.test'] } }`),
      entry('caa', 'dns.record', `{ name: bazaarhub.test, type: CAA, resolver: '${dns.server}', expect: { matches: 'issue "letsencrypt.org"' } }`),
      entry('dmarc', 'dns.record', `{ name: _dmarc.shop.bazaarhub.test, type: TXT, resolver: '${dns.server}', expect: { matches: '^v=DMARC1;' } }`),
      entry('dmarc-missing', 'dns.record', `{ name: _dmarc.bazaarhub.test, type: TXT, resolver: '${dns.server}', expect: { matches: '^v=DMARC1;' } }`),
    ]);
    expect(statuses.spf).toMatch(/^pass: TXT bazaarhub\.test \(via 127\.0\.0\.1:\d+\): "google-site-verification=abc", "v=spf1 include:_spf\.mailer\.test -all"/);
    expect(statuses.mx).toMatch(/^pass: MX bazaarhub\.test .*"10 mx1\.mailer\.test"/);
    expect(statuses.caa).toMatch(/^pass: CAA .*issue "letsencrypt\.org"/);
    expect(statuses.dmarc).toMatch(/^fail: .*"v=spf1 -all" \(no value matches/);
    expect(statuses['dmarc-missing']).toMatch(/^fail: .*no such name \(NXDOMAIN\)/);
    expect(dns.questions).toEqual(expect.arrayContaining(['bazaarhub.test TXT', 'bazaarhub.test MX', 'bazaarhub.test CAA']));
  });

  it('sql.query: passes and fails on real PostgreSQL 15, and cannot write (an UPDATE is refused at load and by the READ ONLY transaction)', async () => {
    const count = async () => {
      const admin = await pg.primary.admin('shop_good');
      try {
        return (await admin.query("SELECT count(*)::int AS n FROM vendors WHERE name = 'hacked'")).rows[0].n as number;
      } finally {
        await admin.end();
      }
    };
    const { statuses } = await run([
      entry('vendors', 'sql.query', `{ query: 'SELECT count(*) FROM vendors', expect: { value: { min: 1 } } }`),
      entry('migrations', 'sql.query', `{ query: 'SELECT count(*) FROM knex_migrations', expect: { value: { equals: 0 } } }`),
      entry('sneaky', 'sql.query', `{ query: "WITH u AS (UPDATE vendors SET name = 'hacked' RETURNING id) SELECT count(*) FROM u", expect: { value: { equals: 0 } } }`),
    ]);
    expect(statuses.vendors).toMatch(/^pass: 1 row\(s\), first value 2 \(read-only, rolled back\)/);
    expect(statuses.migrations).toMatch(/^fail: 1 row\(s\), first value \d+ .*: first value \d+, not 0/);
    expect(statuses.sneaky).toMatch(/^error: the query was refused: cannot execute \w+ in a read-only transaction \(25006\)/);
    expect(await count()).toBe(0);

    const update = await run([entry('update', 'sql.query', `{ query: "UPDATE vendors SET name = 'hacked'" }`)]);
    expect(update.code).toBe(2);
    expect(update.stderr).toMatch(/c\.yaml:10: entry "g\.update": params\.query: must be a SELECT/);
    const two = await run([entry('two', 'sql.query', `{ query: "SELECT 1; DELETE FROM vendors" }`)]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('params.query: one statement only');
    expect(await count()).toBe(0);
  }, 60_000);

  it('redis.info: a field against a value, a pattern and a range on real Redis', async () => {
    const { statuses, stdout } = await run([
      entry('role', 'redis.info', `{ section: replication, field: role, equals: master }`),
      entry('version', 'redis.info', `{ field: redis_version, matches: '^7\\.' }`),
      entry('replicas', 'redis.info', `{ field: connected_slaves, range: { min: 2 } }`),
      entry('nope', 'redis.info', `{ field: no_such_field }`),
    ]);
    expect(statuses.role).toMatch(/^pass: INFO replication\.role = master/);
    expect(statuses.version).toMatch(/^pass: INFO server\.redis_version = 7\./);
    expect(statuses.replicas).toMatch(/^fail: INFO replication\.connected_slaves = 1 \(1, under 2\)/);
    expect(statuses.nope).toMatch(/^fail: INFO has no no_such_field/);
    expect(stdout).not.toContain(REDIS_PASSWORD);
  });

  it('command: off unless the runner allows the program (the catalog cannot), then argv without a shell, exit code, output and timeout', async () => {
    const node = process.execPath;
    const entries = [
      entry('ok', 'command', `{ argv: ['${node}', '-e', 'console.log("ready " + process.argv[1])', '$HOME; touch pwned'], expect: { stdoutContains: 'ready $HOME; touch pwned' } }`),
      entry('exit', 'command', `{ argv: ['${node}', '-e', 'process.exit(3)'] }`),
      entry('slow', 'command', `{ argv: ['${node}', '-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 300 }`),
    ];
    const off = await run(entries);
    expect(off.statuses.ok).toMatch(/^skipped: not run: command checks are off/);
    expect(off.statuses.exit).toMatch(/^skipped/);
    const on = await run(entries, ['--allow-commands', 'node']);
    expect(on.statuses.ok).toMatch(/^pass: .* exited 0 in \d+ ms: "ready \$HOME; touch pwned"/);
    expect(on.statuses.exit).toMatch(/^fail: .*exited 3 .*\(exit 3\)/);
    expect(on.statuses.slow).toMatch(/^error: .*did not finish within 300 ms \(killed\)/);
    const byEnv = await run(entries.slice(0, 1), [], { BAZAARHUB_ALLOW_COMMANDS: 'node' });
    expect(byEnv.statuses.ok).toMatch(/^pass/);
    const otherAllowed = await run(entries.slice(0, 1), ['--allow-commands', 'curl']);
    expect(otherAllowed.statuses.ok).toMatch(/^skipped/);
  });
});

describe('catalog sync proposes a generic check for a machine-verifiable line', () => {
  it('a URL, the admin panel, a port, a DNS record and a spelled-out SELECT each get their probe and params; a specialist still wins', async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        join(dir, 'c.md'),
        '## Pre-Deployment\n### Security\n- [ ] Verify /api/v1/status returns 200\n- [ ] Check that the admin panel is not public\n- [ ] Confirm port 6379 is not public\n- [ ] Check the MX records of the shop domain\n- [ ] Publish an SPF record for the mail domain\n- [ ] Check `SELECT count(*) FROM vendors WHERE kyc_status IS NULL` returns 0\n- [ ] Review the vendor onboarding guide\n',
      );
      const sync = await runCli(['catalog', 'sync', '--checklist', 'c.md', '--catalog', 'c.yaml'], { cwd: dir });
      expect(sync.code).toBe(0);
      const { parse } = await import('yaml');
      const { readFile } = await import('node:fs/promises');
      const entries = (parse(await readFile(join(dir, 'c.yaml'), 'utf8')) as { entries: Array<Record<string, unknown>> }).entries;
      expect(entries.map((e) => [e.probe ?? 'manual', e.params])).toEqual([
        ['http.request', { path: '/api/v1/status', expect: { status: 200 } }],
        ['http.request', { service: 'admin-panel', path: '/', expect: { status: [401, 403, 404] } }],
        ['tcp.port', { port: 6379, expect: 'closed' }],
        ['dns.record', { name: '${APP_URL.host}', type: 'MX' }],
        // A specialist probe (from #15) claims SPF; the generic one only proposes itself where none does.
        ['mail.spf', undefined],
        ['sql.query', { query: 'SELECT count(*) FROM vendors WHERE kyc_status IS NULL', expect: { value: { equals: 0 } } }],
        ['manual', undefined],
      ]);
      // What sync proposes is a valid catalog that `run` accepts.
      expect((await runCli(['list', '--checklist', 'c.md', '--catalog', 'c.yaml'], { cwd: dir })).code).toBe(0);
    });
  });
});
