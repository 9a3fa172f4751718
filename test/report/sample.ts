import type { EntryResult } from '../../src/engine/result.js';
import { assembleReport } from '../../src/report/build.js';
import type { Report } from '../../src/report/model.js';

type Partial2 = Pick<EntryResult, 'id' | 'status'> & Partial<EntryResult>;

export function result(fields: Partial2): EntryResult {
  const [phase = 'general', section = ''] = fields.id.split('.');
  return {
    title: fields.id,
    phase,
    section,
    cadence: 'per-release',
    kind: 'task',
    source: null,
    probe: null,
    severity: 'high',
    observed: `observed for ${fields.id}`,
    expected: `expected for ${fields.id}`,
    remediation: `fix ${fields.id}`,
    durationMs: 12,
    ...fields,
  };
}

/** A report over the real checklist's lines, one entry of every status, with markup-hostile text. */
export function sampleResults(): EntryResult[] {
  return [
    result({ id: 'pre-deployment.security.configure-hsts-headers', title: 'Configure HSTS headers', status: 'pass', probe: 'http.hsts', source: 'checklists/deployment.md:16', observed: 'Strict-Transport-Security: max-age=63072000; includeSubDomains', severity: 'high' }),
    result({ id: 'pre-deployment.security.set-https-only-true', title: 'Set HTTPS_ONLY=true', status: 'fail', probe: 'env.flags', source: 'checklists/deployment.md:13', observed: 'HTTPS_ONLY is "false" <script>alert(1)</script> & more', expected: 'HTTPS_ONLY=true', remediation: 'Set HTTPS_ONLY=true in .env.production', severity: 'critical' }),
    result({ id: 'pre-deployment.security.update-all-default-passwords-in-env', title: 'Update all default passwords in .env', status: 'error', probe: 'env.default-passwords', source: 'checklists/deployment.md:10', observed: 'timed out after 10s', severity: 'high' }),
    result({ id: 'pre-deployment.compliance-legal.review-gst-compliance-requirements', title: 'Review GST compliance requirements', status: 'attested', source: 'checklists/deployment.md:81', severity: 'medium', observed: 'done, attested by Asha on 2026-11-20', attestation: { status: 'done', by: 'Asha <asha@example.com>', at: '2026-11-20T10:00:00.000Z', expires: null, evidence: 'https://wiki.example.com/gst|review', note: 'signed by CA', reason: null } }),
    result({ id: 'post-deployment.smoke-tests.test-vendor-registration-flow', title: 'Test vendor registration flow', status: 'unattested', source: 'checklists/deployment.md:137', severity: 'high', observed: 'no attestation recorded' }),
    result({ id: 'ongoing-maintenance.daily-tasks.review-error-logs', title: 'Review error logs', status: 'expired', cadence: 'daily', source: 'checklists/deployment.md:220', severity: 'medium', attestation: { status: 'done', by: 'ops', at: '2026-11-20T10:00:00.000Z', expires: '2026-11-21T10:00:00.000Z', evidence: null, note: null, reason: null } }),
    result({ id: 'ongoing-maintenance.daily-tasks.check-service-health', title: 'Check service health', status: 'warn', cadence: 'daily', source: 'checklists/deployment.md:221', severity: 'medium', observed: 'waived by cto until 2026-11-27', attestation: { status: 'waived', by: 'cto', at: '2026-11-20T10:00:00.000Z', expires: '2026-11-27T23:59:59.999Z', evidence: null, note: null, reason: 'monitoring migration in progress' } }),
    result({ id: 'pre-deployment.infrastructure.configure-s3-bucket-encryption', title: 'Configure S3 bucket encryption (SSE-S3)', status: 'skipped', probe: 's3.encryption', source: 'checklists/deployment.md:27', observed: 'skipped: AWS_S3_BUCKET is not set', severity: 'low' }),
    result({ id: 'success-criteria.all-health-checks-passing', title: 'All health checks passing', kind: 'criterion', status: 'pass', probe: 'http.health', source: 'checklists/deployment.md:373', severity: 'high' }),
  ];
}

export function sampleReport(results: EntryResult[] = sampleResults()): Report {
  return assembleReport(results, { envFile: '.env.production', failOn: 'high', timeoutMs: 10_000, insecure: false, notes: [], interrupted: false, durationMs: 1234, generatedAt: '2026-11-26T12:00:00.000Z', tool: { name: 'bazaarhub-check', version: '0.1.0' } });
}
