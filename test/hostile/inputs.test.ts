import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runCli, withTempDir, type CliResult } from '../helpers/cli.js';

/**
 * Every broken input, through the real binary: exit 2 (input) or 3 (unreachable), exactly one
 * clear stderr line naming the file (and line where there is one), no stack trace, within its
 * time bound. Inputs that are odd but valid (CRLF, BOM, duplicates, an unclosed fence) are handled
 * like their plain twins. Multi-megabyte inputs are generated in a temp dir, not committed.
 */
const HOSTILE = join(ROOT, 'test/fixtures/hostile');
const CATALOG = join(ROOT, 'bazaarhub-checks.yaml');
const fixture = (name: string) => join(HOSTILE, name);

function expectOneLine(result: CliResult, code: 2 | 3, message: RegExp): void {
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+/);
  expect(result.stderr).not.toMatch(/internal error/);
  expect(result.code, result.stderr).toBe(code);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^bazaarhub-check: /);
  expect(lines[0]).toMatch(message);
}

async function timed(run: () => Promise<CliResult>, boundMs: number): Promise<CliResult> {
  const started = Date.now();
  const result = await run();
  expect(Date.now() - started, 'took too long').toBeLessThan(boundMs);
  return result;
}

const sync = (checklist: string, dir: string) => runCli(['catalog', 'sync', '--checklist', checklist, '--catalog', join(dir, 'c.yaml')], { cwd: dir, timeoutMs: 60_000 });
const list = (catalog: string) => runCli(['list', '--catalog', catalog], { timeoutMs: 60_000 });
const envRun = (envFile: string, ...only: string[]) =>
  runCli(['run', '--env-file', envFile, '--catalog', CATALOG, '--quiet', '--timeout', '2', '--format', 'json', ...(only.length ? only : ['env.']).flatMap((id) => ['--only', id])], { timeoutMs: 60_000 });

describe('hostile checklists (catalog sync)', () => {
  it.each([
    ['empty.md', /empty\.md: no checklist items found/],
    ['whitespace-only.md', /whitespace-only\.md: no checklist items found/],
    ['headings-only.md', /headings-only\.md: no checklist items found/],
    ['only-html.md', /only-html\.md: no checklist items found/],
    ['binary.md', /binary\.md: not a markdown checklist \(binary content\)/],
    ['deep-list.md', /deep-list\.md:\d+: indented \d+ columns; nesting deeper than 200 columns is not supported/],
    ['deep-quotes.md', /deep-quotes\.md:2: 200 nested block quotes/],
  ])('%s: exit 2, one line', async (name, message) => {
    await withTempDir(async (dir) => expectOneLine(await timed(() => sync(fixture(name), dir), 10_000), 2, message));
  });

  it('CRLF, a BOM and an unclosed fence parse like their plain twins', async () => {
    for (const name of ['crlf.md', 'bom.md']) {
      await withTempDir(async (dir) => {
        const result = await sync(fixture(name), dir);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toBe('');
        expect((parse(await readFile(join(dir, 'c.yaml'), 'utf8')) as { entries: Array<{ id: string }> }).entries[0]?.id).toBe('pre-deployment.security.configure-hsts-headers');
      });
    }
    await withTempDir(async (dir) => {
      const result = await sync(fixture('unclosed-fence.md'), dir);
      expect(result.code, result.stderr).toBe(0);
      // The fence swallows the rest of the document, as in CommonMark: its bullets are requirements.
      const entries = (parse(await readFile(join(dir, 'c.yaml'), 'utf8')) as { entries: Array<{ id: string; kind: string }> }).entries;
      expect(entries.map((entry) => entry.id)).toEqual(['pre-deployment.security.configure-hsts-headers', 'pre-deployment.security.jwt-secret', 'pre-deployment.security.not-a-task-inside-the-fence']);
      expect(entries.slice(1).every((entry) => entry.kind === 'requirement')).toBe(true);
    });
  });

  it('duplicate items get distinct, stable ids', async () => {
    await withTempDir(async (dir) => {
      expect((await sync(fixture('duplicates.md'), dir)).code).toBe(0);
      const ids = (parse(await readFile(join(dir, 'c.yaml'), 'utf8')) as { entries: Array<{ id: string }> }).entries.map((entry) => entry.id);
      expect(ids).toEqual(['pre-deployment.security.configure-hsts-headers', 'pre-deployment.security.configure-hsts-headers-2', 'pre-deployment.security.configure-hsts-headers-3', 'pre-deployment.security.configure-hsts-headers-4']);
    });
  });

  it('a 5 MB paragraph is refused at once instead of parsed for minutes', async () => {
    await withTempDir(async (dir) => {
      const words = ['deploy', '[link]', '*em*', '`code`', '_x_', '<b>', '&amp;', 'release'];
      const lines: string[] = [];
      for (let i = 0, size = 0; size < 5 * 1024 * 1024; i++) {
        const line = Array.from({ length: 12 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
        lines.push(line);
        size += line.length + 1;
      }
      await writeFile(join(dir, 'huge.md'), `## Phase\n- [ ] One real item\n\n${lines.join('\n')}\n`);
      expectOneLine(await timed(() => sync(join(dir, 'huge.md'), dir), 10_000), 2, /huge\.md:4: a paragraph of more than 64 KiB without a blank line/);
    });
  });

  it('a checklist over 16 MB is refused by size', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'huge.md'), `- [ ] item\n${'x'.repeat(17 * 1024 * 1024)}`);
      expectOneLine(await timed(() => sync(join(dir, 'huge.md'), dir), 10_000), 2, /huge\.md: checklist is \d+ bytes, over the 16777216-byte limit/);
    });
  });
});

describe('hostile catalogs (list)', () => {
  it.each([
    ['yaml-bomb.yaml', /yaml-bomb\.yaml: YAML error: Excessive alias count/],
    ['alias-entries.yaml', /alias-entries\.yaml:11: duplicate id "a\.one" \(first at line 5\)/],
    ['recursive-alias.yaml', /recursive-alias\.yaml:4: entries\[0\]: Expected object/],
    ['duplicate-ids.yaml', /duplicate-ids\.yaml:10: duplicate id "a\.one" \(first at line 4\)/],
    ['duplicate-keys.yaml', /duplicate-keys\.yaml:5: YAML syntax error: Map keys must be unique/],
    ['unknown-probe.yaml', /unknown-probe\.yaml:9: entry "a\.one": unknown probe "http\.teleport"/],
    ['wrong-types.yaml', /wrong-types\.yaml:5: entry "a\.one": title: Expected string/],
    ['bad-params.yaml', /bad-params\.yaml:10: entry "a\.one": params\.requests: Number must be greater than or equal to 1/],
    ['entries-not-a-list.yaml', /entries-not-a-list\.yaml:3: entries: Expected array/],
    ['wrong-version.yaml', /wrong-version\.yaml:1: version: Invalid literal value, expected 1/],
    ['not-a-mapping.yaml', /not-a-mapping\.yaml:1: catalog: Expected object, received array/],
    ['syntax-error.yaml', /syntax-error\.yaml:5: YAML syntax error: Tabs are not allowed as indentation/],
    ['multi-document.yaml', /multi-document\.yaml:4: YAML syntax error: Source contains multiple documents/],
    ['empty.yaml', /empty\.yaml: catalog: Expected object, received null/],
    ['binary.yaml', /binary\.yaml: not a YAML catalog \(binary content\)/],
    ['custom-tag.yaml', /custom-tag\.yaml:2: checklist: Expected string/],
    ['missing.yaml', /missing\.yaml: cannot read catalog: ENOENT/],
  ])('%s: exit 2, one line', async (name, message) => {
    expectOneLine(await timed(() => list(fixture(name)), 10_000), 2, message);
  });

  it('a 3 MB catalog with one bad entry at its end names that entry\'s line', async () => {
    await withTempDir(async (dir) => {
      const entry = (i: number) => `  - id: bulk.item-${i}\n    title: Item ${i}\n    phase: bulk\n    cadence: daily\n    severity: low\n    manual: true\n`;
      const parts = ['version: 1\nchecklist: c.md\nentries:\n'];
      let size = 0;
      let count = 0;
      while (size < 3 * 1024 * 1024) {
        const text = entry(count++);
        parts.push(text);
        size += text.length;
      }
      parts.push('  - id: bulk.last\n    title: Last\n    phase: bulk\n    cadence: daily\n    severity: low\n    probe: nope.nope\n');
      await writeFile(join(dir, 'big.yaml'), parts.join(''));
      expectOneLine(await timed(() => list(join(dir, 'big.yaml')), 30_000), 2, new RegExp(`big\\.yaml:${3 + count * 6 + 6}: entry "bulk\\.last": unknown probe "nope\\.nope"`));
    });
  });

  it('a catalog over 4 MB is refused by size', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'huge.yaml'), `version: 1\n# ${'x'.repeat(5 * 1024 * 1024)}\n`);
      expectOneLine(await timed(() => list(join(dir, 'huge.yaml')), 10_000), 2, /huge\.yaml: catalog is \d+ bytes, over the 4194304-byte limit/);
    });
  });
});

describe('hostile env files (run)', () => {
  it.each([
    ['invalid-line.env', /invalid-line\.env:2: expected KEY=VALUE/],
    ['invalid-name.env', /invalid-name\.env:1: invalid variable name/],
    ['empty-name.env', /empty-name\.env:1: expected KEY=VALUE/],
    ['unterminated-quote.env', /unterminated-quote\.env:2: unterminated " quote in JWT_SECRET/],
    ['text-after-quote.env', /text-after-quote\.env:1: unexpected text after the closing quote of JWT_SECRET/],
    ['binary.env', /binary\.env: not an env file \(binary content\)/],
    ['malformed-url.env', /malformed-url\.env:1: APP_URL is not a valid URL/],
    ['url-no-host.env', /url-no-host\.env:1: APP_URL is not a valid URL/],
    ['odd-scheme-url.env', /odd-scheme-url\.env:1: APP_URL has scheme "ftp", expected http or https/],
    ['javascript-url.env', /javascript-url\.env:1: APP_URL has scheme "javascript"/],
    ['odd-scheme-dsn.env', /odd-scheme-dsn\.env:1: DATABASE_URL has scheme "mysql", expected postgres or postgresql/],
    ['odd-scheme-redis.env', /odd-scheme-redis\.env:1: REDIS_URL has scheme "http", expected redis or rediss/],
    ['malformed-dsn.env', /malformed-dsn\.env:1: DATABASE_URL is not a valid URL/],
  ])('%s: exit 2, one line', async (name, message) => {
    const result = await timed(() => envRun(fixture(name)), 10_000);
    expectOneLine(result, 2, message);
    expect(result.stderr).not.toMatch(/pw@|:pw|pa:ss/);
  });

  it('multi-line, quoted, CRLF and BOM env files are read, not refused', async () => {
    for (const name of ['multiline.env', 'quotes.env', 'crlf-bom.env']) {
      const result = await envRun(fixture(name));
      expect([0, 1], `${name}: ${result.stderr}`).toContain(result.code);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout).results.length).toBeGreaterThan(0);
    }
  });

  it('a closed port is exit 3 (unreachable), with the reason in the report and nothing on stderr', async () => {
    for (const [name, only] of [['closed-port.env', ['http.hsts']], ['closed-port-dsn.env', ['postgres.version', 'redis.version']]] as const) {
      const result = await timed(() => envRun(fixture(name), ...only), 10_000);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout) as { results: Array<{ status: string; observed: string }> };
      expect(report.results.every((r) => r.status === 'error' && /ECONNREFUSED/.test(r.observed))).toBe(true);
    }
  });

  it('a huge value is read; an unterminated quote over 2 MB ends at once (it was quadratic); over 4 MB is refused', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'huge-value.env'), `NODE_ENV=production\nJWT_SECRET=${'x'.repeat(3 * 1024 * 1024)}\n`);
      const huge = await timed(() => envRun(join(dir, 'huge-value.env'), 'env.secret-strength'), 10_000);
      expect([0, 1]).toContain(huge.code);
      expect(huge.stdout).not.toContain('x'.repeat(64));

      await writeFile(join(dir, 'open-quote.env'), `A="${Array.from({ length: 100_000 }, (_, i) => `line ${i} never closed`).join('\n')}`);
      expectOneLine(await timed(() => envRun(join(dir, 'open-quote.env')), 10_000), 2, /open-quote\.env:1: unterminated " quote in A/);

      await writeFile(join(dir, 'too-big.env'), `A=${'y'.repeat(5 * 1024 * 1024)}\n`);
      expectOneLine(await timed(() => envRun(join(dir, 'too-big.env')), 10_000), 2, /too-big\.env: env file is \d+ bytes, over the 4194304-byte limit/);
    });
  });
});
