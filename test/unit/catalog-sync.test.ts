import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseChecklist } from '../../src/checklist/parse.js';
import { syncCatalog } from '../../src/catalog/sync.js';
import { loadRegistry } from '../../src/engine/registry.js';

const probes = [...(await loadRegistry()).values()];

const CHECKLIST = '## Pre-Deployment\n### Security\n- [ ] Generate strong JWT_SECRET (min 32 characters)\n- [ ] Review terms of service\n- [ ] Set HTTPS_ONLY=true\n';

function sync(checklistText: string, existing?: string, extra: { adoptProbes?: boolean } = {}) {
  return syncCatalog(parseChecklist(checklistText, 'checklists/deployment.md'), {
    catalogFile: 'bazaarhub-checks.yaml',
    checklistRef: 'checklists/deployment.md',
    existing,
    probes: [...probes],
    today: '2026-11-26',
    ...extra,
  });
}

type Entry = Record<string, unknown> & { id: string };
const entries = (text: string) => (parse(text) as { entries: Entry[] }).entries;

describe('catalog sync', () => {
  it('creates entries with probes where a probe claims the item, manual otherwise', () => {
    const { text, changes } = sync(CHECKLIST);
    expect(changes.map((change) => change.kind)).toEqual(['added', 'added', 'added']);
    expect(entries(text)).toEqual([
      expect.objectContaining({ id: 'pre-deployment.security.generate-strong-jwt-secret', probe: 'env.secret-strength', params: { variables: ['JWT_SECRET'] }, severity: 'critical', source: 'checklists/deployment.md:3', cadence: 'per-release' }),
      expect.objectContaining({ id: 'pre-deployment.security.review-terms-of-service', manual: true }),
      expect.objectContaining({ id: 'pre-deployment.security.set-https-only-true', probe: 'env.flags', params: { expect: { HTTPS_ONLY: 'true' } } }),
    ]);
  });

  it('is idempotent', () => {
    const first = sync(CHECKLIST).text;
    const second = sync(CHECKLIST, first);
    expect(second.changes).toEqual([]);
    expect(second.text).toBe(first);
  });

  it('keeps every hand edit and comment, adds new items in place, marks vanished ones', () => {
    let text = sync(CHECKLIST).text;
    text = text
      .replace('severity: critical', 'severity: high # lowered after review')
      .replace('title: Review terms of service', 'title: Review terms of service (legal)\n    attesters: [legal]');
    const changed = '## Pre-Deployment\n### Security\n- [ ] Generate strong JWT_SECRET (min 32 characters)\n- [ ] Brand new item\n- [ ] Set HTTPS_ONLY=true\n';
    const result = sync(changed, text);
    expect(result.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'added', id: 'pre-deployment.security.brand-new-item' }),
        expect.objectContaining({ kind: 'vanished', id: 'pre-deployment.security.review-terms-of-service' }),
      ]),
    );
    expect(result.text).toContain('severity: high # lowered after review');
    const list = entries(result.text);
    expect(list.map((entry) => entry.id)).toEqual([
      'pre-deployment.security.generate-strong-jwt-secret',
      'pre-deployment.security.brand-new-item',
      'pre-deployment.security.review-terms-of-service',
      'pre-deployment.security.set-https-only-true',
    ]);
    expect(list[2]).toEqual(expect.objectContaining({ title: 'Review terms of service (legal)', attesters: ['legal'], vanished: '2026-11-26' }));
    expect(list[3]).toEqual(expect.objectContaining({ source: 'checklists/deployment.md:5' }));

    // A third sync changes nothing but still reports the vanished entry for review.
    const third = sync(changed, result.text);
    expect(third.changes).toEqual([]);
    expect(third.stillVanished.map((change) => change.id)).toEqual(['pre-deployment.security.review-terms-of-service']);
  });

  it('records moved lines and restores an item that comes back', () => {
    const original = sync(CHECKLIST).text;
    const without = sync('## Pre-Deployment\n### Security\n- [ ] Generate strong JWT_SECRET (min 32 characters)\n- [ ] Set HTTPS_ONLY=true\n', original).text;
    const back = sync(`\n\n${CHECKLIST}`, without);
    expect(back.changes.map((change) => change.kind).sort()).toEqual(['moved', 'moved', 'moved', 'restored']);
    expect(entries(back.text).every((entry) => !('vanished' in entry))).toBe(true);
  });

  it('leaves hand-written entries without a source alone', () => {
    const text = `${sync(CHECKLIST).text}\n  - id: custom.extra-check\n    title: Our own check\n    phase: custom\n    cadence: daily\n    severity: low\n    manual: true\n`;
    const result = sync(CHECKLIST, text);
    expect(result.changes).toEqual([]);
    expect(entries(result.text).at(-1)?.id).toBe('custom.extra-check');
  });

  it('adopts a probe for a manual entry only when asked', () => {
    const text = sync(CHECKLIST).text.replace(/probe: env\.flags\n\s+params: \{[^}]*\}\s*\}/, 'manual: true');
    expect(entries(text)[2]).toEqual(expect.objectContaining({ manual: true }));
    expect(sync(CHECKLIST, text).changes).toEqual([]);
    const adopted = sync(CHECKLIST, text, { adoptProbes: true });
    expect(adopted.changes).toEqual([expect.objectContaining({ kind: 'adopted', id: 'pre-deployment.security.set-https-only-true' })]);
    expect(entries(adopted.text)[2]).toEqual(expect.objectContaining({ probe: 'env.flags', params: { expect: { HTTPS_ONLY: 'true' } } }));
  });
});

describe('catalog sync on a broken catalog', () => {
  it('an entry without an id never pairs as a rename (found by the fuzz test)', () => {
    const text = sync(CHECKLIST).text.replace('  - id: pre-deployment.security.review-terms-of-service', '  - i[d: pre-deployment.security.review-terms-of-service');
    const result = sync(CHECKLIST, text);
    expect(result.changes.map((change) => change.kind)).toEqual(['added']);
    expect(result.possibleRenames).toEqual([]);
  });
});
