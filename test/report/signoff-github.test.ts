import { describe, expect, it } from 'vitest';
import { githubAnnotations, onGithubActions } from '../../src/report/github.js';
import { renderSignoff } from '../../src/report/signoff.js';
import { result, sampleReport, sampleResults } from './sample.js';

describe('sign-off section', () => {
  const text = renderSignoff(sampleReport());
  const section = (title: string) => text.split(`### ${title}`)[1]?.split('\n### ')[0] ?? '';

  it('lists who attested what with evidence links', () => {
    expect(text.startsWith('## Sign-off\n')).toBe(true);
    const attested = section('Attested');
    expect(attested).toContain('Review GST compliance requirements');
    expect(attested).toContain('Asha &lt;asha@example.com&gt;');
    expect(attested).toContain('[wiki.example.com/gst\\|review](https://wiki.example.com/gst%7Creview)');
    expect(attested).toContain('2026-11-20 10:00 UTC');
  });

  it('shows waivers with their end date and justification, and what is missing', () => {
    expect(section('Waived')).toMatch(/Check service health.*\| cto \| 2026-11-27 ⚠ expiring soon \| monitoring migration in progress \|/);
    const missing = section('Missing or expired');
    expect(missing).toMatch(/Test vendor registration flow.*\| high \| unattested \| \*\*yes\*\* \| `bazaarhub-check attest post-deployment\.smoke-tests\.test-vendor-registration-flow` \|/);
    expect(missing).toMatch(/Review error logs.*\| medium \| expired .*\| no \|/);
    expect(missing).not.toContain('Set HTTPS_ONLY');
  });

  it('ends with an approval table to fill in, and keeps table rows intact', () => {
    const approval = section('Approval');
    expect(approval).toContain('**not-ready**');
    expect(approval).toMatch(/\| Release manager \| +\| ☐ Approve ☐ Reject \|/);
    expect(renderSignoff(sampleReport(), { roles: ['Finance'] })).toMatch(/\| Finance \|/);
    const tables = text.split(/\n\n/).map((block) => block.trim()).filter((block) => block.startsWith('| '));
    expect(tables.length).toBeGreaterThanOrEqual(4);
    for (const block of tables) {
      const widths = block.split('\n').map((row) => row.replace(/\\\|/g, '').split('|').length);
      expect(new Set(widths).size, block).toBe(1);
    }
  });

  it('folds a long list of missing attestations, blocking ones first', () => {
    const many = Array.from({ length: 20 }, (_, i) => result({ id: `p.s.item-${i}`, status: 'unattested', severity: i === 19 ? 'critical' : 'low' }));
    const text2 = renderSignoff(sampleReport(many));
    expect(text2).toContain('<details><summary>20 item(s), 1 blocking the release</summary>');
    const missing = text2.split('### Missing or expired')[1] ?? '';
    expect(missing.indexOf('p.s.item-19')).toBeLessThan(missing.indexOf('p.s.item-0'));
    expect(missing.indexOf('</details>')).toBeLessThan(missing.indexOf('### Approval'));
  });

  it('says so when nothing is attested or missing', () => {
    const text2 = renderSignoff(sampleReport([result({ id: 'a.b.c', status: 'pass', probe: 'x.y' })]));
    expect(text2).toContain('_No current attestations._');
    expect(text2).toContain('_Every manual item has a current attestation._');
  });
});

describe('GitHub Actions annotations', () => {
  it('prints ::error for failures, missing/expired attestations and errors, ::warning for warnings', () => {
    const out = githubAnnotations(sampleReport());
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(4);
    expect(lines.filter((l) => l.startsWith('::warning ')).length).toBe(1);
    const https = lines.find((l) => l.includes('set-https-only-true'))!;
    expect(https).toMatch(/^::error file=checklists\/deployment\.md,line=13,title=fail%3A Set HTTPS_ONLY=true \[pre-deployment\.security\.set-https-only-true\]::HTTPS_ONLY is "false"/);
    expect(https).toContain('%0AFix: Set HTTPS_ONLY=true in .env.production');
    expect(out).not.toMatch(/configure-hsts-headers|configure-s3-bucket/);
  });

  it('escapes newlines and percent signs so one annotation stays one line', () => {
    const out = githubAnnotations(sampleReport([result({ id: 'a.b.c', status: 'fail', observed: '50%\nline two', title: 'a, b: c' })]));
    expect(out.split('\n')).toHaveLength(2);
    expect(out).toContain('title=fail%3A a%2C b%3A c [a.b.c]::50%25%0Aline two');
  });

  it('is on only under GITHUB_ACTIONS=true', () => {
    expect(onGithubActions({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(onGithubActions({})).toBe(false);
    expect(githubAnnotations(sampleReport(sampleResults().filter((r) => r.status === 'pass')))).toBe('');
  });
});
