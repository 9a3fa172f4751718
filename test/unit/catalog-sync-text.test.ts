import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { probes } from '../../checks/index.js';
import { parseChecklist } from '../../src/checklist/parse.js';
import { syncDocument, type SyncOptions } from '../../src/catalog/sync.js';
import { freshCatalogText, textualSync, yamlScalar } from '../../src/catalog/sync-text.js';
import { ROOT } from '../helpers/cli.js';

/** The text fast path of `catalog sync` must agree with the yaml Document path it short-cuts. */
const options = (existing?: string): SyncOptions => ({ catalogFile: 'c.yaml', checklistRef: 'checklists/deployment.md', existing, probes: [...probes], today: '2026-11-26' });
const checklistOf = (text: string) => parseChecklist(text, 'checklists/deployment.md');

const title = fc.oneof(
  fc.constantFrom('Configure HSTS headers', 'Set HTTPS_ONLY=true', 'Run `npm audit`', 'a: b # c', 'true', 'null', '32', '1e3', 'yes', "it's", '"quoted"', 'Disk < 10%', '#tag', '- dash', 'x:', '2026-11-26', 'Review GST & TDS', 'café', 'Backups (daily)'),
  fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme-ascii' }).filter((s) => /[a-z0-9]/i.test(s) && !/[`*_[\]<>&\\~|!]/.test(s)),
);
const checklist = fc
  .array(fc.tuple(fc.constantFrom('## Pre-Deployment', '### Security', '### Daily Tasks', '## Go Live', ''), fc.array(title, { maxLength: 5 })), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.map(([heading, titles]) => [heading, ...titles.map((t) => `- [ ] ${t}`)].join('\n')).join('\n\n'));

describe('catalog sync text path', () => {
  it('writes scalars exactly as the yaml library does', () => {
    fc.assert(
      fc.property(fc.oneof(title, fc.string({ maxLength: 10 })), (value) => {
        expect(parse(`k: ${yamlScalar(value)}`)).toEqual({ k: value });
      }),
      { numRuns: 2000 },
    );
  });

  it('creates the same catalog text as the Document path', () => {
    const real = checklistOf(readFileSync(`${ROOT}/checklists/deployment.md`, 'utf8'));
    expect(freshCatalogText(real, options())?.text).toBe(syncDocument(real, options()).text);
    fc.assert(
      fc.property(checklist, (text) => {
        const items = checklistOf(text);
        const fast = freshCatalogText(items, options());
        if (fast) expect(fast).toEqual(syncDocument(items, options()));
      }),
      { numRuns: 300 },
    );
  });

  it('re-syncs an edited checklist to the same entries and changes as the Document path', () => {
    let taken = 0;
    let changed = 0;
    fc.assert(
      fc.property(checklist, checklist, fc.boolean(), (before, after, twice) => {
        let existing = syncDocument(checklistOf(before), options()).text;
        if (twice) existing = syncDocument(checklistOf(`${after}\n${before}`), options(existing)).text;
        const items = checklistOf(after);
        const fast = textualSync(items, options(existing), existing);
        const slow = syncDocument(items, options(existing));
        if (!fast) return;
        taken++;
        if (fast.changes.length) changed++;
        expect(parse(fast.text)).toEqual(parse(slow.text));
        expect(fast.changes).toEqual(slow.changes);
        expect(fast.stillVanished).toEqual(slow.stillVanished);
      }),
      { numRuns: 300 },
    );
    expect(taken).toBeGreaterThan(250);
    expect(changed).toBeGreaterThan(150);
  });

  it('takes the text path on the real, hand-curated catalog and agrees with the Document path', () => {
    const catalog = readFileSync(`${ROOT}/bazaarhub-checks.yaml`, 'utf8');
    const text = readFileSync(`${ROOT}/checklists/deployment.md`, 'utf8');
    const shifted = checklistOf(`\n\n${text.replace('- [ ] Configure HSTS headers\n', '- [ ] Configure HSTS headers\n- [ ] A brand new item\n')}`);
    const fast = textualSync(shifted, options(catalog), catalog);
    expect(fast).toBeDefined();
    const slow = syncDocument(shifted, options(catalog));
    expect(parse(fast?.text ?? '')).toEqual(parse(slow.text));
    expect(fast?.changes).toEqual(slow.changes);
    expect(fast?.changes.filter((c) => c.kind === 'added')).toHaveLength(1);
  });

  it('leaves unusual layouts to the Document path', () => {
    const base = syncDocument(checklistOf('## P\n- [ ] One\n'), options()).text;
    for (const odd of [base.replace('  - id: p.one', '  - { id: p.one }'), base.replace('source:', '"source":'), `${base}\n  - id: p.one\n    title: dup\n`, base.replace('version: 1', 'version: &v 1'), base.replace(/\n/g, '\r\n')]) {
      expect(textualSync(checklistOf('## P\n- [ ] Two\n'), options(odd), odd)).toBeUndefined();
    }
  });
});
