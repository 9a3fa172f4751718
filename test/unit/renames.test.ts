import { describe, expect, it } from 'vitest';
import { matchRenames, type RenameSide } from '../../src/catalog/renames.js';

const side = (id: string, title: string, extra: Partial<RenameSide> = {}): RenameSide => ({ id, title, phase: 'p', section: 's', before: 'a', after: 'z', ...extra });

describe('rename matching', () => {
  it('is sure for a similar text in the same section, and for the same place between unchanged neighbours', () => {
    expect(matchRenames([side('old', 'Set up Web Application Firewall (WAF) rules', { before: 'x' })], [side('new', 'Set up WAF rules')])).toEqual([expect.objectContaining({ from: 'old', to: 'new', sure: true })]);
    expect(matchRenames([side('old', 'Document PII handling procedures')], [side('new', 'Write down how PII is handled')])).toEqual([expect.objectContaining({ sure: true })]);
  });

  it('is only a possible rename when two new items are as alike, or the text is weak and the place differs', () => {
    const twins = matchRenames([side('old', 'Review GST compliance requirements')], [side('a', 'Review GST compliance requirements (north)', { before: 'q' }), side('b', 'Review GST compliance requirements (south)', { before: 'q' })]);
    expect(twins).toHaveLength(1);
    expect(twins[0]).toEqual(expect.objectContaining({ from: 'old', sure: false }));
    expect(matchRenames([side('old', 'Document PII handling procedures', { before: 'q' })], [side('new', 'Write down how PII is handled')])).toEqual([expect.objectContaining({ sure: false })]);
  });

  it('never pairs unrelated items of different sections', () => {
    expect(matchRenames([side('old', 'Configure DDoS protection', { section: 'infra', before: 'q' })], [side('new', 'Rotate the Razorpay webhook secret')])).toEqual([]);
  });
});
