import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, LOOPBACK_GUARD, ROOT, runCli, withTempDir } from '../helpers/cli.js';

const KEY = { BAZAARHUB_ATTEST_KEY: 'test-attest-key-0123456789abcdefghijklmnop' };
const GST_OLD = 'pre-deployment.compliance-legal.review-gst-compliance-requirements';
const GST_NEW = 'pre-deployment.compliance-legal.review-gst-compliance-requirements-with-our-ca';
const WAF_OLD = 'pre-deployment.security.set-up-web-application-firewall-rules';
const WAF_NEW = 'pre-deployment.security.set-up-waf-rules';
const PII_OLD = 'pre-deployment.compliance-legal.document-pii-handling-procedures';
const PII_NEW = 'pre-deployment.compliance-legal.write-down-how-pii-is-handled';
const TOS = 'pre-deployment.compliance-legal.review-terms-of-service';
const RAZORPAY = 'pre-deployment.compliance-legal.verify-razorpay-compliance';

type Entry = Record<string, unknown> & { id: string };
const entries = (text: string) => (parse(text) as { entries: Entry[] }).entries;
const entry = (text: string, id: string) => entries(text).find((e) => e.id === id);

async function project(dir: string) {
  await mkdir(join(dir, 'checklists'));
  await copyFile(join(ROOT, 'bazaarhub-checks.yaml'), join(dir, 'bazaarhub-checks.yaml'));
  await copyFile(join(ROOT, 'checklists/deployment.md'), join(dir, 'checklists/deployment.md'));
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: KEY });
  const read = (file: string) => readFile(join(dir, file), 'utf8');
  const edit = async (file: string, change: (text: string) => string) => {
    const before = await read(file);
    const after = change(before);
    expect(after).not.toBe(before);
    await writeFile(join(dir, file), after);
  };
  return { cli, read, edit };
}

describe('catalog sync keeps hand edits across a reworded checklist item (real binary)', () => {
  it('moves id, severity, params, remediation, tags and comments to the new text, keeps the attestation, and check agrees', async () => {
    await withTempDir(async (dir) => {
      const { cli, read, edit } = await project(dir);
      expect((await cli(['attest', GST_OLD, '--status', 'done', '--by', 'Asha', '--evidence', 'https://wiki.example.com/gst'])).code).toBe(0);
      const ledger = await read('bazaarhub-attestations.jsonl');
      // Hand edits on both entries.
      await edit('bazaarhub-checks.yaml', (text) =>
        text
          .replace(`  - id: ${WAF_OLD}\n`, `  # Cloudflare managed rules; reviewed by the security team.\n  - id: ${WAF_OLD}\n`)
          .replace(/(id: pre-deployment\.security\.set-up-web-application-firewall-rules[\s\S]*?)severity: \w+/, '$1severity: medium # lowered: the CDN blocks most\n    tags: [edge]\n    remediation: Turn on the Cloudflare OWASP ruleset.')
          .replace(/(id: pre-deployment\.compliance-legal\.review-gst-compliance-requirements\n[\s\S]*?)severity: high/, '$1severity: critical\n    attesters: [finance]'),
      );
      await edit('checklists/deployment.md', (text) => text.replace('Set up Web Application Firewall (WAF) rules', 'Set up WAF rules').replace('Review GST compliance requirements', 'Review GST compliance requirements with our CA'));

      const check = await cli(['catalog', 'check']);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(`renamed: ${WAF_OLD} → ${WAF_NEW}`);

      const sync = await cli(['catalog', 'sync']);
      expect(sync.code).toBe(0);
      expect(sync.stdout).toContain(`renamed: ${WAF_OLD} → ${WAF_NEW} (`);
      expect(sync.stdout).toContain(`renamed: ${GST_OLD} → ${GST_NEW} (`);
      expect(sync.stdout).not.toMatch(/added|vanished/);
      const text = await read('bazaarhub-checks.yaml');
      expect(text).toContain(`  # Cloudflare managed rules; reviewed by the security team.\n  - id: ${WAF_NEW}\n`);
      expect(text).toContain('severity: medium # lowered: the CDN blocks most');
      expect(entry(text, WAF_NEW)).toEqual(expect.objectContaining({ title: 'Set up WAF rules', probe: 'waf.blocks-attacks', tags: ['edge'], remediation: 'Turn on the Cloudflare OWASP ruleset.', previousIds: [WAF_OLD] }));
      expect(entry(text, GST_NEW)).toEqual(expect.objectContaining({ severity: 'critical', attesters: ['finance'], manual: true, previousIds: [GST_OLD], source: 'checklists/deployment.md:81' }));
      expect(entry(text, WAF_OLD)).toBeUndefined();
      expect(entries(text)).toHaveLength(entries(await readFile(join(ROOT, 'bazaarhub-checks.yaml'), 'utf8')).length);

      const after = await cli(['catalog', 'check']);
      expect(after.stdout).toContain('agrees');
      expect(after.code).toBe(0);
      // The attestation recorded under the old id still counts; the ledger was not touched.
      const run = await cli(['run', '--only', GST_NEW, '--format', 'json']);
      const result = JSON.parse(run.stdout).results[0];
      expect(result).toEqual(expect.objectContaining({ id: GST_NEW, status: 'attested' }));
      expect(result.observed).toContain('attested by Asha');
      expect(await read('bazaarhub-attestations.jsonl')).toBe(ledger);
      expect((await cli(['catalog', 'sync'])).stdout).toContain('is in sync');
    });
  });

  it('an unsure rename is reported and both kept, sync and check say the same, --rename settles it, --prune removes only unedited vanished entries', async () => {
    await withTempDir(async (dir) => {
      const { cli, read, edit } = await project(dir);
      await edit('bazaarhub-checks.yaml', (text) => text.replace(/(id: pre-deployment\.compliance-legal\.verify-razorpay-compliance\n[\s\S]*?)severity: \w+/, '$1severity: critical'));
      // Reworded and moved to the end of its section: alike, but not sure.
      await edit('checklists/deployment.md', (text) =>
        text
          .replace('- [ ] Document PII handling procedures\n', '')
          .replace('- [ ] Review terms of service\n', '')
          .replace('- [ ] Verify Razorpay compliance\n', '')
          .replace('- [ ] Document compliance procedures\n', '- [ ] Document compliance procedures\n- [ ] Write down how PII is handled\n'),
      );
      const sync = await cli(['catalog', 'sync']);
      expect(sync.code).toBe(0);
      const possible = `  possible rename: ${PII_OLD} → ${PII_NEW} (`;
      expect(sync.stdout).toContain(possible);
      expect(sync.stdout).toContain(`--rename ${PII_OLD}=${PII_NEW}`);
      expect(sync.stdout).toMatch(new RegExp(`vanished +${PII_OLD}:`));
      let text = await read('bazaarhub-checks.yaml');
      expect(entry(text, PII_OLD)).toEqual(expect.objectContaining({ vanished: expect.any(String) }));
      expect(entry(text, PII_NEW)).toEqual(expect.objectContaining({ manual: true }));

      // check after sync: exit 0, and the vanished entries reported in the same words as sync.
      const check = await cli(['catalog', 'check']);
      expect(check.code).toBe(0);
      const vanishedLines = (out: string) => out.split('\n').filter((line) => /^ {2}(vanished|possible rename)/.test(line));
      expect(vanishedLines(check.stdout)).toEqual(vanishedLines(sync.stdout));
      expect(vanishedLines(check.stdout)).toHaveLength(4);

      const settled = await cli(['catalog', 'sync', '--rename', `${PII_OLD}=${PII_NEW}`]);
      expect(settled.code).toBe(0);
      expect(settled.stdout).toContain(`renamed: ${PII_OLD} → ${PII_NEW} (--rename)`);
      text = await read('bazaarhub-checks.yaml');
      expect(entries(text).filter((e) => e.id === PII_NEW)).toEqual([expect.objectContaining({ title: 'Write down how PII is handled', previousIds: [PII_OLD] })]);
      expect(entry(text, PII_NEW)).not.toHaveProperty('vanished');
      expect(entry(text, PII_OLD)).toBeUndefined();

      const pruned = await cli(['catalog', 'sync', '--prune']);
      expect(pruned.code).toBe(0);
      expect(pruned.stdout).toMatch(new RegExp(`pruned +${TOS}: vanished, no hand edits: removed`));
      expect(pruned.stdout).toMatch(new RegExp(`kept +${RAZORPAY}: vanished but has hand edits \\(severity\\)`));
      text = await read('bazaarhub-checks.yaml');
      expect(entry(text, TOS)).toBeUndefined();
      expect(entry(text, RAZORPAY)).toEqual(expect.objectContaining({ vanished: expect.any(String) }));
      expect((await cli(['catalog', 'check'])).code).toBe(0);

      const bad = await cli(['catalog', 'sync', '--rename', 'no.such-entry=x']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--rename no.such-entry=x: the catalog has no entry "no.such-entry"');
    });
  });
});

/** The binary under a pseudo-terminal (util-linux `script`), answering each prompt with `answer`. */
function onTerminal(dir: string, args: string, answer: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', `stty cols 200 rows 40; ${process.execPath} -- ${BIN} ${args}`, '/dev/null'], { cwd: dir, env: { PATH: process.env.PATH ?? '', TERM: 'xterm', HOME: process.env.HOME ?? '/root', NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD } });
    let output = '';
    let answered = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!answered && output.includes('(y/N)')) {
        answered = true;
        child.stdin.write(answer);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('an unsure rename on a terminal', () => {
  it('asks, and a yes moves the entry to the new text', async () => {
    await withTempDir(async (dir) => {
      const { read, edit } = await project(dir);
      await edit('checklists/deployment.md', (text) => text.replace('- [ ] Document PII handling procedures\n', '').replace('- [ ] Document compliance procedures\n', '- [ ] Document compliance procedures\n- [ ] Write down how PII is handled\n'));
      const { code, output } = await onTerminal(dir, 'catalog sync', 'y\r');
      expect(output).toContain(`Is ${PII_NEW} the reworded ${PII_OLD} (40% alike, same section)?`);
      expect(code).toBe(0);
      expect(output).toContain(`renamed: ${PII_OLD} → ${PII_NEW} (--rename)`);
      const text = await read('bazaarhub-checks.yaml');
      expect(entry(text, PII_NEW)).toEqual(expect.objectContaining({ previousIds: [PII_OLD] }));
      expect(entry(text, PII_OLD)).toBeUndefined();
    });
  });
});
