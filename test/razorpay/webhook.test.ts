import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webhookSignature, { verdictOf } from '../../checks/razorpay/webhook-signature.js';
import { PROBE_ACCOUNT_ID, PROBE_EVENT, probeEvent, razorpaySdk, signWebhook, type WebhookAnswer } from '../../src/facts/razorpay.js';
import { WEBHOOK_VARIANTS, actionFor, startRazorpayStandIn, type RunningRazorpay, type WebhookVariant } from '../../src/standins/razorpay.js';
import { runCli, withTempDir } from '../helpers/cli.js';
import { runProbe } from '../helpers/servers.js';

/**
 * razorpay.webhook-signature against receivers that behave like real handlers. Each receiver records
 * what it would have processed; a probe run must leave that record empty in every variant.
 */
let razorpay: RunningRazorpay;
beforeAll(async () => {
  razorpay = await startRazorpayStandIn();
});
afterAll(async () => {
  await razorpay.close();
});

const EXPECTED: Record<WebhookVariant, { status: string; says: RegExp }> = {
  bazaarhub: { status: 'pass', says: /^verifies signatures over the raw body: correctly signed deliveries answered 200\/200, forged ones 400\/400\/400/ },
  reserialised: { status: 'warn', says: /the route verifies re-serialised JSON, not the bytes Razorpay signs/ },
  unverified: { status: 'warn', says: /every delivery answered 200, the forged ones too: .*cannot be told apart/ },
  'always-200': { status: 'warn', says: /every delivery answered 200, the forged ones too: .*cannot be told apart/ },
  'rejects-unknown': { status: 'warn', says: /refused the correctly signed delivery \(400 \{"error":"Unhandled event type"\}\), but not as it refused a wrong signature \(400 \{"error":"Invalid signature"\}\)/ },
};

function deliveriesTo(variant: WebhookVariant) {
  return razorpay.deliveries.filter((delivery) => delivery.variant === variant);
}

describe('the webhook stand-in records what a real handler would have processed', () => {
  it('processes a correctly signed payment.captured in every variant that accepts it (the record is not vacuous)', async () => {
    const before = razorpay.processed.length;
    const body = JSON.stringify({ entity: 'event', account_id: 'acc_Ab12Cd34Ef56Gh', event: 'payment.captured', contains: ['payment'], payload: { payment: { entity: { id: 'pay_Ab12Cd34Ef56Gh', amount: 49900 } } }, created_at: 1 });
    const signature = await signWebhook(body, razorpay.webhookSecret);
    for (const variant of WEBHOOK_VARIANTS) {
      const response = await fetch(razorpay.webhookUrls[variant], { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': signature }, body });
      expect(response.status, variant).toBe(200);
    }
    // A forgery reaches the application only on the route that verifies nothing.
    await fetch(razorpay.webhookUrls.unverified, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await fetch(razorpay.webhookUrls.bazaarhub, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(razorpay.processed.slice(before).map((event) => event.variant)).toEqual([...WEBHOOK_VARIANTS, 'unverified']);
    expect(actionFor({ event: 'refund.speed_changed' })).toMatch(/refund event/);
    expect(actionFor({ event: 'anything', payload: { order: { entity: {} } } })).toMatch(/order entities/);
    razorpay.processed.length = before;
  });

  it('sees nothing to act on in the probe event', () => {
    expect(actionFor({ event: PROBE_EVENT, account_id: PROBE_ACCOUNT_ID, payload: { bazaarhub_check: { entity: {} } } })).toBeUndefined();
  });
});

describe('razorpay.webhook-signature', () => {
  for (const variant of WEBHOOK_VARIANTS) {
    it(`${variant}: ${EXPECTED[variant].status}, and nothing processed`, async () => {
      const before = deliveriesTo(variant).length;
      const finding = await runProbe(webhookSignature, { RAZORPAY_WEBHOOK_SECRET: razorpay.webhookSecret, RAZORPAY_WEBHOOK_URL: razorpay.webhookUrls[variant] });
      expect(finding.status).toBe(EXPECTED[variant].status);
      expect(finding.observed).toMatch(EXPECTED[variant].says);
      // The finding says exactly what was sent.
      expect(finding.observed).toContain(`5 POSTs of the made-up event ${PROBE_EVENT} (account ${PROBE_ACCOUNT_ID}, no payment, order or refund entity`);
      expect(JSON.stringify(finding)).not.toContain(razorpay.webhookSecret);
      const received = deliveriesTo(variant).slice(before);
      expect(received).toHaveLength(5);
      expect(received.every((delivery) => (delivery.event as { event?: string }).event === PROBE_EVENT)).toBe(true);
      expect(razorpay.processed).toEqual([]);
    });
  }

  it('fails when the configured secret is not the one the route verifies with, and nothing is processed', async () => {
    const finding = await runProbe(webhookSignature, { RAZORPAY_WEBHOOK_SECRET: 'some-other-webhook-secret-0123456789', RAZORPAY_WEBHOOK_URL: razorpay.webhookUrl });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/^refused the correctly signed delivery exactly as it refused a wrong signature \(400 \{"error":"Invalid signature"\}\)/);
    expect(finding.remediation).toMatch(/Set RAZORPAY_WEBHOOK_SECRET to the secret configured/);
    expect(razorpay.processed).toEqual([]);
  });

  it('judges only from the contrast, and says why when there is none', () => {
    const answers = (signed: number, respaced: number, wrong: number, unsigned: number, replayed: number, bodies: Partial<Record<string, string>> = {}): WebhookAnswer[] =>
      ([['signed', signed], ['respaced', respaced], ['wrong-signature', wrong], ['unsigned', unsigned], ['replayed-signature', replayed]] as const).map(([name, status]) => ({ name, status, body: bodies[name] ?? '' }));
    expect(verdictOf(answers(404, 404, 404, 404, 404))).toMatchObject({ status: 'fail', reason: 'no webhook route here: every delivery answered 404' });
    expect(verdictOf(answers(204, 200, 200, 202, 200)).status).toBe('warn');
    // Refused before any signature is read (an IP allowlist): no contrast, and no false alarm.
    expect(verdictOf(answers(403, 403, 403, 403, 403))).toMatchObject({ status: 'warn', reason: expect.stringMatching(/an IP allowlist for Razorpay's addresses does this/) });
    expect(verdictOf(answers(400, 400, 400, 400, 400, { signed: '{"error":"Invalid signature"}', respaced: '{"error":"Invalid signature"}', 'wrong-signature': '{"error":"Invalid signature"}', unsigned: '{"error":"Missing signature"}', 'replayed-signature': '{"error":"Invalid signature"}' })).status).toBe('fail');
    expect(verdictOf(answers(302, 302, 302, 302, 302))).toMatchObject({ status: 'warn', reason: expect.stringMatching(/nothing to contrast/) });
    expect(verdictOf(answers(200, 200, 200, 400, 400))).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^accepted deliveries Razorpay cannot have sent \(wrong signature: 200\)/) });
    expect(verdictOf(answers(200, 200, 500, 400, 400))).toMatchObject({ status: 'warn', reason: expect.stringMatching(/not with 4xx \(wrong signature: 500\)/) });
    expect(verdictOf(answers(200, 200, 401, 401, 403)).status).toBe('pass');
    expect(verdictOf([{ name: 'signed', error: 'connection refused' }]).status).toBe('error');
  });

  it('skips without a webhook URL and errors when nothing answers', async () => {
    expect((await runProbe(webhookSignature, { RAZORPAY_WEBHOOK_SECRET: 'x'.repeat(20) })).status).toBe('skipped');
    const closed = await startRazorpayStandIn();
    await closed.close();
    const finding = await runProbe(webhookSignature, { RAZORPAY_WEBHOOK_SECRET: closed.webhookSecret, RAZORPAY_WEBHOOK_URL: closed.webhookUrl });
    expect(finding.status).toBe('error');
  });

  it('signs as the razorpay SDK verifies (the probe no longer asks the SDK at run time)', async () => {
    const sdk = await razorpaySdk();
    const bodies = ['{"a":1}', '{ "a" : 1 }', JSON.stringify(probeEvent(1_700_000_000)), '{"name":"Zoë ₹ 名前"}', ''];
    for (const secret of ['secret-1', 'dummy_webhook_secret', 'ünïcode-€-secret', 'x'.repeat(200)]) {
      for (const body of bodies) {
        const signature = await signWebhook(body, secret);
        expect(sdk.validateWebhookSignature(body, signature, secret), `${body} / ${secret.slice(0, 12)}`).toBe(true);
        expect(sdk.validateWebhookSignature(`${body} `, signature, secret)).toBe(false);
      }
    }
  });
});

describe('a full catalog run through the binary', () => {
  it('gives each variant its status and makes no receiver process anything', async () => {
    await withTempDir(async (dir) => {
      for (const variant of WEBHOOK_VARIANTS) {
        const envFile = join(dir, `${variant}.env`);
        await writeFile(envFile, `NODE_ENV=production\nRAZORPAY_WEBHOOK_SECRET=${razorpay.webhookSecret}\nRAZORPAY_WEBHOOK_URL=${razorpay.webhookUrls[variant]}\n`);
        const before = deliveriesTo(variant).length;
        const result = await runCli(['run', '--env-file', envFile, '--format', 'json', '--quiet']);
        expect(result.stderr).toBe('');
        const report = JSON.parse(result.stdout) as { results: Array<{ id: string; status: string; observed: string }> };
        const entry = report.results.find((candidate) => candidate.id === 'pre-deployment.third-party-services.configure-razorpay-webhook-endpoint');
        expect(entry?.status, variant).toBe(EXPECTED[variant].status);
        expect(entry?.observed).toMatch(EXPECTED[variant].says);
        // One probe run (facts are shared): exactly the five deliveries, none of them acted on.
        expect(deliveriesTo(variant).length - before).toBe(5);
        expect(result.stdout).not.toContain(razorpay.webhookSecret);
      }
      expect(razorpay.processed).toEqual([]);
    });
  }, 60_000);
});
