import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/engine/registry.js';
import { infer } from '../../src/catalog/infer.js';
import { readChecklist } from '../../src/checklist/read.js';

const probes = [...(await loadRegistry()).values()];

/** What `catalog sync` proposes for the checklist items the integration and release probes verify. */
describe('checklist items mapped to the integration and release probes', () => {
  it('proposes the right probe and params for each item', async () => {
    const checklist = await readChecklist(join(import.meta.dirname, '../../checklists/deployment.md'));
    const proposed = (title: string) => {
      const item = checklist.items.find((candidate) => candidate.title === title);
      if (!item) throw new Error(`no checklist item ${title}`);
      const inferred = infer(item, probes);
      return { probe: inferred.probe, ...(inferred.params ? { params: inferred.params } : {}) };
    };
    expect(proposed('Create Razorpay account (production keys)')).toEqual({ probe: 'razorpay.keys' });
    expect(proposed('Configure Razorpay webhook endpoint')).toEqual({ probe: 'razorpay.webhook-signature' });
    expect(proposed('Create Shiprocket account')).toEqual({ probe: 'shiprocket.auth' });
    expect(proposed('Test Shiprocket API integration')).toEqual({ probe: 'shiprocket.auth' });
    expect(proposed('Configure email service (SMTP provider)')).toEqual({ probe: 'smtp.connect' });
    expect(proposed('Run security scanning: npm audit')).toEqual({ probe: 'npm.audit' });
    expect(proposed('Perform dependency vulnerability check')).toEqual({ probe: 'npm.audit' });
    expect(proposed('Update dependency security patches')).toEqual({ probe: 'npm.audit' });
    expect(proposed('Security vulnerability scan')).toEqual({ probe: 'npm.audit' });
    expect(proposed('All code committed and pushed')).toEqual({ probe: 'git.release-state' });
    expect(proposed('Verify domain resolution')).toEqual({ probe: 'dns.resolve' });
    expect(proposed('Update DNS records (A, CNAME)')).toEqual({ probe: 'dns.resolve' });
    expect(proposed('Wait for DNS propagation')).toEqual({ probe: 'dns.resolve' });
    expect(proposed('Backups running successfully')).toEqual({ probe: 'backup.recent' });
    expect(proposed('Check backup completion')).toEqual({ probe: 'backup.recent' });
    expect(proposed('Monitor backup completion')).toEqual({ probe: 'backup.recent' });
    expect(proposed('Database backups succeeding')).toEqual({ probe: 'backup.recent' });
    expect(proposed('Configure alerting for critical metrics')).toEqual({ probe: 'monitoring.alert-rules' });
    expect(proposed('Monitoring and alerting active')).toEqual({ probe: 'monitoring.alert-rules' });
    expect(proposed('Payment gateway failure')).toEqual({ probe: 'monitoring.alert-rules', params: { alerts: ['Payment gateway failure'] } });
    expect(proposed('Redis connection failed')).toEqual({ probe: 'monitoring.alert-rules', params: { alerts: ['Redis connection failed'] } });
  });

  it('leaves items it cannot verify alone', async () => {
    const checklist = await readChecklist(join(import.meta.dirname, '../../checklists/deployment.md'));
    const ours = new Set(['razorpay.keys', 'razorpay.webhook-signature', 'shiprocket.auth', 'smtp.connect', 'npm.audit', 'git.release-state', 'dns.resolve', 'backup.recent', 'monitoring.alert-rules']);
    const claimed = (title: string) => {
      const item = checklist.items.find((candidate) => candidate.title === title);
      return item ? ours.has(infer(item, probes).probe ?? '') : false;
    };
    for (const title of ['Test Razorpay payments with test cards', 'Whitelist webhook IP in firewall', 'Test email delivery', 'Verify Razorpay compliance', 'Configure backup and disaster recovery', 'Monitor alert system', 'Razorpay production keys']) {
      expect(claimed(title), title).toBe(false);
    }
  });
});
