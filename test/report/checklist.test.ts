import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChecklist } from '../../src/checklist/parse.js';
import { checklistReporter, renderChecklist } from '../../src/report/checklist.js';
import { result, sampleReport, sampleResults } from './sample.js';

const file = 'checklists/deployment.md';
const original = readFileSync(join(import.meta.dirname, '../../checklists/deployment.md'), 'utf8');
const lineOf = (text: string, n: number) => text.split('\n')[n - 1] ?? '';

describe('checklist re-render', () => {
  const rendered = checklistReporter(sampleReport(), { color: false, verbose: false, checklist: { file, text: original } });

  it('ticks passed checks and current attestations, with an evidence note', () => {
    expect(lineOf(rendered, 16)).toMatch(/^- \[x\] Configure HSTS headers _\(bazaarhub-check: ✔ verified by http\.hsts: Strict-Transport-Security: max-age=63072000; includeSubDomains\)_$/);
    expect(lineOf(rendered, 81)).toBe('- [x] Review GST compliance requirements _(bazaarhub-check: ✔ attested by Asha \\<asha@example.com\\>, 2026-11-20 10:00 UTC; evidence: https://wiki.example.com/gst\\|review)_');
    expect(lineOf(rendered, 221)).toMatch(/^- \[x\] Check service health _\(bazaarhub-check: ✔ waived by cto until 2026-11-27\)_$/);
    expect(lineOf(rendered, 373)).toMatch(/^✅ All health checks passing _\(bazaarhub-check: ✔ verified by http.health/);
  });

  it('leaves failing, unattested, expired, errored and skipped boxes empty, saying why', () => {
    expect(lineOf(rendered, 13)).toMatch(/^- \[ \] Set HTTPS_ONLY=true _\(bazaarhub-check: ✘ fail: HTTPS\\_ONLY is "false" \\<script\\>alert\(1\)\\<\/script\\> & more\)_$/);
    expect(lineOf(rendered, 137)).toMatch(/^- \[ \] Test vendor registration flow _\(bazaarhub-check: ✘ unattested: no attestation recorded\)_$/);
    expect(lineOf(rendered, 220)).toMatch(/✘ expired/);
    expect(lineOf(rendered, 10)).toMatch(/⚠ error: timed out/);
    // Only a failure gets the ✘ of a failure: a warning, a skipped check and one that could not run say what they are.
    expect(lineOf(rendered, 27)).toMatch(/^- \[ \] Configure S3 bucket encryption \(SSE-S3\) _\(bazaarhub-check: - skipped: /);
    const warned = renderChecklist(original, file, [result({ id: 'a.warned', status: 'warn', probe: 'x.y', source: `${file}:16` })]);
    expect(lineOf(warned, 16)).toMatch(/_\(bazaarhub-check: ! warn: observed for a\.warned\)_$/);
  });

  it('keeps every other byte, and the document still parses to the same items', () => {
    const before = original.split('\n');
    // The gate (verdict, counts, waivers) follows the document, so every line keeps its number.
    const [document, footer = ''] = rendered.split('\n---\n\n**bazaarhub-check verdict:**');
    const after = (document ?? "").split("\n");
    expect(after).toHaveLength(before.length);
    expect(footer).toMatch(/NOT READY \(exit 1\)[\s\S]*\*\*Blocking \(\d+\):\*\* \d+ automated failure/);
    const touched = new Set([10, 13, 16, 27, 81, 137, 220, 221, 373]);
    before.forEach((line, index) => {
      if (!touched.has(index + 1)) expect(after[index]).toBe(line);
    });
    const items = parseChecklist(document ?? '', file).items;
    expect(items.map((i) => i.line)).toEqual(parseChecklist(original, file).items.map((i) => i.line));
    expect(items.find((i) => i.line === 16)?.checked).toBe(true);
    expect(items.find((i) => i.line === 13)?.checked).toBe(false);
  });

  it('unticks a box the team ticked by hand when the check fails; keeps CRLF and BOM; ignores moved lines', () => {
    const text = '\uFEFF# T\r\n\r\n## P\r\n- [x] Done by hand\r\n- [ ] Other\r\n';
    const out = renderChecklist(text, 'c.md', [result({ id: 'p.done-by-hand', status: 'fail', source: 'c.md:4' }), result({ id: 'p.gone', status: 'pass', source: 'c.md:2' })]);
    expect(out).toBe('\uFEFF# T\r\n\r\n## P\r\n- [ ] Done by hand _(bazaarhub-check: ✘ fail: observed for p.done-by-hand)_\r\n- [ ] Other\r\n');
  });

  it('needs the checklist text', () => {
    expect(() => checklistReporter(sampleReport(sampleResults()), { color: false, verbose: false })).toThrow(/checklist/);
  });
});
