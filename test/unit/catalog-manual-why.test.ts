import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalog } from '../../src/catalog/load.js';
import { syncCatalog } from '../../src/catalog/sync.js';
import { parseChecklist } from '../../src/checklist/parse.js';
import { loadRegistry } from '../../src/engine/registry.js';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

const probes = [...(await loadRegistry()).values()];

type Entry = { id: string; manual?: true; why?: string; probe?: string; params?: Record<string, unknown> };
const shipped = parse(readFileSync(join(ROOT, 'bazaarhub-checks.yaml'), 'utf8')) as { entries: Entry[] };

describe('manual entries say why no probe verifies them', () => {
  it('every manual entry of the shipped catalog has a why; the machine-visible items have probes', async () => {
    const manual = shipped.entries.filter((entry) => entry.manual);
    expect(manual.length).toBeGreaterThan(100);
    expect(manual.filter((entry) => !entry.why?.trim()).map((entry) => entry.id)).toEqual([]);
    const probeOf = Object.fromEntries(shipped.entries.map((entry) => [entry.id, entry.probe]));
    expect(probeOf).toMatchObject({
      'deployment.deployment-steps.deploy-backend-service': 'deploy.service',
      'deployment.deployment-steps.deploy-nginx-reverse-proxy': 'deploy.service',
      'pre-deployment.database.configure-automated-backups': 'backup.recent',
      'pre-deployment.infrastructure.set-up-monitoring': 'monitoring.series',
      'post-deployment.performance-monitoring.monitor-cpu-usage': 'monitoring.series',
      'post-deployment.operational-monitoring.monitor-alert-system': 'monitoring.alertmanagers',
      'pre-deployment.third-party-services.configure-sms-service': 'sms.account',
    });
    // The shipped catalog loads on both paths (the fast text loader and zod) to the same entries.
    const { catalog } = await loadCatalog(join(ROOT, 'bazaarhub-checks.yaml'), await loadRegistry());
    expect(catalog.entries.find((entry) => entry.id === 'pre-deployment.compliance-legal.review-terms-of-service')?.why).toMatch(/human judgement/);
  });

  it('why belongs to manual entries only: on a probed entry it is a clear error naming file and line', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.yaml');
      await writeFile(file, 'version: 1\nchecklist: checklists/deployment.md\nentries:\n  - id: a.one\n    title: One\n    phase: a\n    cadence: per-release\n    severity: high\n    probe: env.db-pool\n    why: "no reason"\n');
      const result = await runCli(['list', '--catalog', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/c\.yaml:\d+: entry "a\.one": why: why explains a manual entry/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('catalog sync keeps why; --adopt-probes replaces manual and why with the probe', () => {
    const checklist = parseChecklist('## Deployment\n### Deployment Steps\n- [ ] Deploy backend service\n', 'checklists/deployment.md');
    const options = { catalogFile: 'bazaarhub-checks.yaml', checklistRef: 'checklists/deployment.md', existing: undefined as string | undefined, probes: [...probes], today: '2026-12-01' };
    const fresh = syncCatalog(checklist, options).text;
    expect(fresh).toMatch(/probe: deploy\.service\n\s+params: \{ services: \[ api \] \}/);
    const manual = fresh.replace(/    probe: deploy\.service\n    params: .*\n/, '    manual: true\n    # kept by sync\n    why: "Not yet looked at."\n');
    expect(syncCatalog(checklist, { ...options, existing: manual })).toMatchObject({ changes: [] });
    expect(syncCatalog(checklist, { ...options, existing: manual }).text).toBe(manual);
    const adopted = syncCatalog(checklist, { ...options, existing: manual, adoptProbes: true }).text;
    const entry = (parse(adopted) as { entries: Entry[] }).entries[0];
    expect(entry).toMatchObject({ probe: 'deploy.service', params: { services: ['api'] } });
    expect(entry?.why).toBeUndefined();
    expect(entry?.manual).toBeUndefined();
  });

  it('list --json says why for each manual entry', async () => {
    const result = await runCli(['list', '--json', '--only', 'pre-deployment.compliance-legal.review-terms-of-service', '--only', 'deployment.deployment-steps.deploy-backend-service']);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as Array<{ id: string; why?: string | null }>;
    expect(listed.find((entry) => entry.id.endsWith('review-terms-of-service'))?.why).toMatch(/human judgement/);
    expect(listed.find((entry) => entry.id.endsWith('deploy-backend-service'))).not.toHaveProperty('why');
  });

  it('the catalog JSON schema documents why', async () => {
    const result = await runCli(['catalog', 'schema']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"why"');
  });
});
