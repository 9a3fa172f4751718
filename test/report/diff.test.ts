import { describe, expect, it } from 'vitest';
import { diffExitCode, diffReports, renderDiffMarkdown } from '../../src/report/diff.js';
import { result, sampleReport } from './sample.js';

describe('diff of two reports', () => {
  it('classifies every kind of change by id', () => {
    const before = sampleReport([result({ id: 'a.b.pass-to-fail', status: 'pass' }), result({ id: 'a.b.fail-to-pass', status: 'fail' }), result({ id: 'a.b.fail-to-expired', status: 'fail' }), result({ id: 'a.b.same', status: 'pass' }), result({ id: 'a.b.gone', status: 'pass' }), result({ id: 'a.b.pass-to-skipped', status: 'pass' })]);
    const after = sampleReport([result({ id: 'a.b.pass-to-fail', status: 'fail' }), result({ id: 'a.b.fail-to-pass', status: 'attested' }), result({ id: 'a.b.fail-to-expired', status: 'expired' }), result({ id: 'a.b.same', status: 'pass' }), result({ id: 'a.b.new', status: 'pass' }), result({ id: 'a.b.pass-to-skipped', status: 'skipped' })]);
    const diff = diffReports(before, after);
    expect(diff.regressed.map((c) => c.id)).toEqual(['a.b.pass-to-fail', 'a.b.pass-to-skipped']);
    expect(diff.fixed.map((c) => c.id)).toEqual(['a.b.fail-to-pass']);
    expect(diff.changed.map((c) => c.id)).toEqual(['a.b.fail-to-expired']);
    expect(diff.added.map((c) => c.id)).toEqual(['a.b.new']);
    expect(diff.removed.map((c) => c.id)).toEqual(['a.b.gone']);
    expect(diff.unchanged).toBe(1);
    expect(diffExitCode(diff)).toBe(1);
    expect(renderDiffMarkdown(diff)).toContain('| a.b.pass-to-fail (`a.b.pass-to-fail`) | high | pass → fail |');
  });

  it('a new failing entry fails the diff; a new passing one does not', () => {
    const before = sampleReport([]);
    expect(diffExitCode(diffReports(before, sampleReport([result({ id: 'x.y.z', status: 'unattested' })])))).toBe(1);
    expect(diffExitCode(diffReports(before, sampleReport([result({ id: 'x.y.z', status: 'pass' })])))).toBe(0);
  });
});
