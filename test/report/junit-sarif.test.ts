import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { junitReporter } from '../../src/report/junit.js';
import { sarifReporter } from '../../src/report/sarif.js';
import { result, sampleReport } from './sample.js';

const fixtures = join(import.meta.dirname, '../fixtures/schemas');
const context = { color: false, verbose: false };

async function validateJunit(xml: string) {
  const schema = readFileSync(join(fixtures, 'junit-4.xsd'), 'utf8');
  return validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit-4.xsd', contents: schema }] });
}

describe('JUnit', () => {
  it('validates against the JUnit XSD and maps each status', async () => {
    const xml = junitReporter(sampleReport(), context);
    const validation = await validateJunit(xml);
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(xml).toMatch(/<testsuites name="bazaarhub-check: not-ready" tests="9" failures="3" errors="1"/);
    const caseOf = (id: string) => new RegExp(`<testcase name="${id.replace(/\./g, '\\.')}"[^>]*?(/>|>[\\s\\S]*?</testcase>)`).exec(xml)?.[0] ?? '';
    expect(caseOf('pre-deployment.security.configure-hsts-headers')).toMatch(/\/>$/);
    expect(caseOf('pre-deployment.security.set-https-only-true')).toContain('<failure message="fail: HTTPS_ONLY is &quot;false&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" type="fail">');
    expect(caseOf('post-deployment.smoke-tests.test-vendor-registration-flow')).toContain('type="unattested"');
    expect(caseOf('ongoing-maintenance.daily-tasks.review-error-logs')).toContain('type="expired"');
    expect(caseOf('pre-deployment.security.update-all-default-passwords-in-env')).toContain('<error message="timed out after 10s"');
    expect(caseOf('pre-deployment.infrastructure.configure-s3-bucket-encryption')).toContain('<skipped>skipped: AWS_S3_BUCKET is not set</skipped>');
    expect(caseOf('ongoing-maintenance.daily-tasks.check-service-health')).toContain('<system-out>warning:');
    expect(xml).toContain('<property name="verdict" value="not-ready"/>');
  });

  it('stays valid XML with control characters and an empty report', async () => {
    const hostile = sampleReport([result({ id: 'x.y.z', status: 'fail', observed: 'bell\u0007 nul\u0000 ]]> "\'' })]);
    expect((await validateJunit(junitReporter(hostile, context))).valid).toBe(true);
    expect((await validateJunit(junitReporter(sampleReport([]), context))).valid).toBe(true);
  });

  it('is rejected by the XSD when broken (the validator is real)', async () => {
    const broken = junitReporter(sampleReport(), context).replace(/ tests="\d+" failures="\d+" errors="\d+" skipped/, ' skipped');
    expect((await validateJunit(broken)).valid).toBe(false);
  });
});

describe('SARIF', () => {
  const schema = JSON.parse(readFileSync(join(fixtures, 'sarif-2.1.0.json'), 'utf8'));
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false }) // the schema's language-tag pattern is not valid with the u flag;
  ajvFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const log = JSON.parse(sarifReporter(sampleReport(), context));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(validate({ version: '2.1.0', runs: [{ tool: {} }] })).toBe(false);
  });

  it('has one rule per entry with help from remediation and results for what is not fine', () => {
    const log = JSON.parse(sarifReporter(sampleReport(), context));
    const run = log.runs[0];
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.rules).toHaveLength(9);
    const httpsRule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'pre-deployment.security.set-https-only-true');
    expect(httpsRule.help.text).toBe('Set HTTPS_ONLY=true in .env.production');
    expect(httpsRule.properties['security-severity']).toBe('9.5');
    const ids = run.results.map((r: { ruleId: string }) => r.ruleId).sort();
    expect(ids).toEqual([
      'ongoing-maintenance.daily-tasks.check-service-health',
      'ongoing-maintenance.daily-tasks.review-error-logs',
      'post-deployment.smoke-tests.test-vendor-registration-flow',
      'pre-deployment.security.set-https-only-true',
      'pre-deployment.security.update-all-default-passwords-in-env',
    ]);
    const https = run.results.find((r: { ruleId: string }) => r.ruleId === 'pre-deployment.security.set-https-only-true');
    expect(https).toMatchObject({ level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: 'checklists/deployment.md' }, region: { startLine: 13 } } }] });
    expect(run.tool.driver.rules[https.ruleIndex].id).toBe(https.ruleId);
    expect(run.properties.verdict).toBe('not-ready');
    const handWritten = sampleReport([result({ id: 'x.y.hand-written', status: 'fail' })]);
    const located = JSON.parse(sarifReporter(handWritten, { ...context, checklist: { file: 'checklists/deployment.md', text: '' } }));
    expect(located.runs[0].results[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'checklists/deployment.md' }, region: { startLine: 1 } });
    expect(validate(located)).toBe(true);
  });
});
