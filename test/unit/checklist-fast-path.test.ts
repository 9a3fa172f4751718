import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChecklist, parseChecklistWhole } from '../../src/checklist/parse.js';
import { fastParse, splitAtHeadings } from '../../src/checklist/chunks.js';
import { ROOT } from '../helpers/cli.js';

/**
 * The chunked parse with its fast path is an optimisation of one micromark pass over the whole
 * document: on every generated document both must give exactly the same items (ids, titles,
 * lines, scope, kinds, boxes).
 */
/** FAST_PATH_RUNS=50000 for a long soak. */
const RUNS = Number(process.env.FAST_PATH_RUNS ?? 1000);
const same = (text: string): void => {
  expect(parseChecklist(text, 'c.md')).toEqual(parseChecklistWhole(text, 'c.md'));
};

const word = fc.constantFrom('Configure', 'HSTS', 'JWT_SECRET', 'S3', 'db_pool_max', '_x', 'x_', 'a__b', 'min', '32', '(SSE-S3)', 'café', '✅', '>', '80%', '=', 'true', '#', 'www.example.com', 'ops@example.com', 'http://a.b/c', 'it\'s', '"q"', '!', '-', '+', '1.', '2)', '.');
const inline = fc.constantFrom('`npm audit`', '` x `', '``a``', '`a', '*em*', '_em_', '**b**', '[l](u)', '[ref]', '<b>', '&amp;', '\\*', '~~s~~', 'a|b', '\t', '![i](s)');
const noise = fc.oneof(fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme-ascii' }), fc.string({ minLength: 1, maxLength: 4, unit: 'grapheme' }));
const text = fc.array(fc.oneof({ weight: 5, arbitrary: word }, { weight: 1, arbitrary: inline }, { weight: 1, arbitrary: noise }), { minLength: 1, maxLength: 6 }).map((words) => words.join(' '));
const line = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('-', '*', '+'), fc.constantFrom('[ ]', '[x]', '[X]', '[]', '[ x]'), text).map(([m, box, t]) => `${m} ${box} ${t}`) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 7 }), text).map(([depth, t]) => `${'#'.repeat(depth)} ${t}`) },
  { weight: 2, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '```', '```bash', '~~~', '````', '```a`b', '  ```', '- [ ] item', '  - [ ] nested', '    - [ ] deeper', '> quote', '> ## quoted heading', '✅ Success line', '   ', '---', '===', '1. [ ] ordered',
      '[ref]: http://x', '[^1]: note', '<!-- comment', '-->', '<div>', '| a | b |', '| - | - |', '# comment in a fence', '- DATABASE_URL', '    indented code', '## Phase\r', 'line\rother', '#', '##', '## x ##', '#hashtag', '\t- [ ] tab',
    ),
  },
  { weight: 1, arbitrary: text },
);
const documents = fc.array(line, { maxLength: 40 }).map((lines) => lines.join('\n'));
/** Mostly lines of the fast grammar, with a rare odd one, so that both paths and their borders are exercised. */
const plainText = fc.array(fc.oneof({ weight: 30, arbitrary: word }, { weight: 1, arbitrary: inline }, { weight: 1, arbitrary: noise }), { minLength: 1, maxLength: 6 }).map((words) => words.join(' '));
const fastishLine = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.constantFrom('-', '*', '+'), fc.constantFrom('[ ]', '[x]', '[X]'), plainText).map(([m, box, t]) => `${m} ${box} ${t}`) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 6 }), plainText).map(([depth, t]) => `${'#'.repeat(depth)} ${t}`) },
  { weight: 3, arbitrary: fc.constantFrom('', ' ') },
  { weight: 1, arbitrary: line },
);
const fastishDocuments = fc.array(fastishLine, { maxLength: 40 }).map((lines) => lines.join('\n'));

describe('chunked checklist parse equals one micromark pass', () => {
  it('on generated documents', { timeout: Math.max(30_000, RUNS * 20) }, () => {
    fc.assert(fc.property(documents, (doc) => same(doc)), { numRuns: RUNS });
  });

  it('on generated documents made mostly of plain task lines', { timeout: Math.max(30_000, RUNS * 20) }, () => {
    let fastItems = 0;
    fc.assert(
      fc.property(fastishDocuments, (doc) => {
        same(doc);
        for (const chunk of splitAtHeadings(doc.split('\n'))) fastItems += fastParse(chunk.lines)?.filter((l) => l.kind === 'task').length ?? 0;
      }),
      { numRuns: RUNS },
    );
    // The generator must exercise the fast path, not only the fallback.
    expect(fastItems).toBeGreaterThan(300);
  });

  it('on generated documents with CRLF and a BOM', () => {
    fc.assert(fc.property(documents, (doc) => same(`\uFEFF${doc.replace(/\n/g, '\r\n')}`)), { numRuns: 200 });
  });

  it('on the real checklist, which mostly takes the fast path', () => {
    const text = readFileSync(`${ROOT}/checklists/deployment.md`, 'utf8');
    same(text);
    const chunks = splitAtHeadings(text.split('\n'));
    const fast = chunks.filter((chunk) => fastParse(chunk.lines)).length;
    expect(chunks.length).toBeGreaterThan(20);
    expect(fast / chunks.length).toBeGreaterThan(0.5);
  });

  it('does not split inside fences, and gives up splitting on HTML and definitions', () => {
    expect(splitAtHeadings(['```', '## not a heading', '```', '## heading']).map((c) => c.startLine)).toEqual([1, 4]);
    expect(splitAtHeadings(['~~~~', '~~~', '## in', '~~~~', '## out']).map((c) => c.startLine)).toEqual([1, 5]);
    expect(splitAtHeadings(['<!--', '## in a comment', '-->'])).toHaveLength(1);
    expect(splitAtHeadings(['## a', '[x]: /u', '## b'])).toHaveLength(1);
  });
});
