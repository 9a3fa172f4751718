import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChecklist } from '../../src/checklist/parse.js';
import { ROOT } from '../helpers/cli.js';

const doc = (text: string) => parseChecklist(text, 'c.md').items;

describe('checklist parser', () => {
  it('derives stable ids, phases, sections, lines and cadence', () => {
    const items = doc('# T\n\n## Pre-Deployment (Week 1-2)\n\n### Compliance & Legal\n- [ ] Review GST compliance requirements\n\n## Ongoing Maintenance\n\n### Weekly Tasks\n- [ ] Review performance metrics\n');
    expect(items).toEqual([
      expect.objectContaining({ id: 'pre-deployment.compliance-legal.review-gst-compliance-requirements', line: 6, phase: 'pre-deployment', section: 'compliance-legal', cadence: 'per-release', kind: 'task', checked: false }),
      expect.objectContaining({ id: 'ongoing-maintenance.weekly-tasks.review-performance-metrics', line: 11, cadence: 'weekly' }),
    ]);
  });

  it('handles CRLF and a BOM exactly like LF', () => {
    const lf = '## Phase\n### Sec\n- [ ] One\n- [x] Two\n';
    const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;
    expect(doc(crlf)).toEqual(doc(lf));
    expect(doc(crlf).map((item) => item.title)).toEqual(['One', 'Two']);
  });

  it('reads [x] boxes as checked items', () => {
    const [one, two] = doc('## P\n- [x] Done thing\n- [X] Also done\n');
    expect(one?.checked).toBe(true);
    expect(two?.checked).toBe(true);
  });

  it('keeps nested task items, each with its own line', () => {
    const items = doc('## P\n- [ ] Parent\n  - [ ] Child one\n  - [x] Child two\n- [ ] Sibling\n');
    expect(items.map((item) => [item.title, item.line])).toEqual([
      ['Parent', 2],
      ['Child one', 3],
      ['Child two', 4],
      ['Sibling', 5],
    ]);
  });

  it('ignores "- [ ]" inside a code fence that is not a requirement block, and plain bullets', () => {
    const items = doc('## P\n```bash\necho "- [ ] not a task"\n```\n- plain bullet\n- [ ] Real task\n');
    expect(items.map((item) => item.title)).toEqual(['Real task']);
  });

  it('turns bullets inside a fence into requirement items with their own lines', () => {
    const items = doc('## Deployment\n### Environment Setup\n```bash\n# Essential variables:\n# - NODE_ENV=production\n# - Database credentials\n```\n');
    expect(items).toEqual([
      expect.objectContaining({ id: 'deployment.environment-setup.node-env-production', kind: 'requirement', line: 5 }),
      expect.objectContaining({ id: 'deployment.environment-setup.database-credentials', kind: 'requirement', line: 6 }),
    ]);
  });

  it('turns ✅ lines into success criteria', () => {
    const items = doc('## Success Criteria\n\n✅ All health checks passing\n✅ Error rate < 0.5%\n');
    expect(items.map((item) => [item.id, item.kind, item.line])).toEqual([
      ['success-criteria.all-health-checks-passing', 'criterion', 3],
      ['success-criteria.error-rate-0-5', 'criterion', 4],
    ]);
  });

  it('a heading with no items yields nothing and does not leak its section', () => {
    const items = doc('## P\n### Empty\n\nJust prose.\n\n## Q\n- [ ] Item\n');
    expect(items).toEqual([expect.objectContaining({ id: 'q.item', section: '' })]);
  });

  it('disambiguates duplicate items in one section', () => {
    const items = doc('## P\n### S\n- [ ] Same\n- [ ] Same\n');
    expect(items.map((item) => item.id)).toEqual(['p.s.same', 'p.s.same-2']);
  });

  it('parses the shipped checklist: every box, criterion and requirement', () => {
    const text = readFileSync(`${ROOT}/checklists/deployment.md`, 'utf8');
    const items = doc(text);
    const boxes = text.split('\n').filter((line) => /^\s*- \[[ xX]\]/.test(line)).length;
    expect(items.filter((item) => item.kind === 'task')).toHaveLength(boxes);
    expect(items.filter((item) => item.kind === 'criterion')).toHaveLength(14);
    expect(items.filter((item) => item.kind === 'requirement').map((item) => item.title)).toContain('Razorpay production keys');
    expect(items.filter((item) => item.section === 'critical-alerts')).toHaveLength(11);
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
    expect(items.find((item) => item.title === 'Configure HSTS headers')?.id).toBe('pre-deployment.security.configure-hsts-headers');
  });
});

describe('checklist parser on input that trips the markdown parser', () => {
  it('an empty bullet followed by an unindented "[ ]" line is bad input or a plain paragraph, never a crash', () => {
    // Found by the fuzz test: the development build of mdast-util-gfm-task-list-item asserts on it.
    const text = '## P\n### S\n-\n[ ] Create Razorpay account\n- [ ] Other\n';
    try {
      expect(parseChecklist(text, 'c.md').items.map((item) => item.id)).toEqual(['p.s.other']);
    } catch (error) {
      expect((error as Error).name).toBe('InputError');
      expect((error as Error).message).toMatch(/^c\.md:\d+: the markdown parser could not read/);
    }
  });
});
