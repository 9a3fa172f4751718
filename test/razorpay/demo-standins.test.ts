import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import alertRules from '../../checks/monitoring/alert-rules.js';
import keys from '../../checks/razorpay/keys.js';
import webhookSignature from '../../checks/razorpay/webhook-signature.js';
import auth from '../../checks/shiprocket/auth.js';
import connect from '../../checks/smtp/connect.js';
import type { RunningStandIn, StandInContext } from '../../src/demo/standin.js';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { prometheusStandIn } from '../../src/standins/prometheus.js';
import { razorpayStandIn } from '../../src/standins/razorpay.js';
import { shiprocketStandIn } from '../../src/standins/shiprocket.js';
import { smtpStandIn } from '../../src/standins/smtp.js';
import { runProbe } from '../helpers/servers.js';

/** The demo's integration stand-ins, started through the StandIn interface as `bazaarhub-check demo` does. */
let running: RunningStandIn[] = [];
let env: Record<string, string> = {};
let caPem: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-standins-'));
  const ca = await createCertificateAuthority('Demo CA');
  caPem = ca.cert;
  const context: StandInContext = { dir, caPem, issueCertificate: (options) => issueCertificate(ca, { ...(options?.hosts ? { hosts: options.hosts } : {}), notAfterDays: options?.daysValid ?? 200 }) };
  running = await Promise.all([razorpayStandIn, shiprocketStandIn, prometheusStandIn, smtpStandIn].map((standIn) => standIn.start(context)));
  env = Object.assign({ NODE_ENV: 'production' }, ...running.map((standIn) => standIn.env)) as Record<string, string>;
});
afterAll(async () => {
  await Promise.all(running.map((standIn) => standIn.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('demo stand-ins for the integration probes', () => {
  it('pass razorpay, shiprocket and smtp probes, and show one missing critical alert', async () => {
    expect((await runProbe(keys, env)).status).toBe('pass');
    expect((await runProbe(webhookSignature, env)).status).toBe('pass');
    expect((await runProbe(auth, env)).status).toBe('pass');
    expect((await runProbe(connect, env, {}, { ca: [caPem] })).status).toBe('pass');
    const alerts = await runProbe(alertRules, env);
    expect(alerts.status).toBe('fail');
    expect(alerts.observed).toBe('10 alerting rule(s); Email delivery failure: no alerting rule matches');
  });
});
