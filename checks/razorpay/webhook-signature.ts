import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { WEBHOOK_CASES, webhookAnswers, type WebhookAnswer } from '../../src/facts/razorpay.js';

function answered(answer: WebhookAnswer | undefined): string {
  if (!answer) return 'not sent';
  return answer.error !== undefined ? `no answer (${answer.error})` : `answered ${answer.status}`;
}

/** One detail per delivery: 2xx expected for the signed event, 4xx for the three forgeries. */
export function judgeWebhook(answers: WebhookAnswer[]): FindingDetail[] {
  return WEBHOOK_CASES.map((spec) => {
    const answer = answers.find((candidate) => candidate.name === spec.name);
    const status = answer?.status;
    const ok = status !== undefined && (spec.expect === '2xx' ? status >= 200 && status < 300 : status >= 400 && status < 500);
    const verdict = answer?.error !== undefined ? 'error' : ok ? 'pass' : 'fail';
    return { subject: spec.label, status: verdict, observed: `${answered(answer)} (expected ${spec.expect})` };
  });
}

/** The likeliest cause, from what the route answered to each delivery. */
export function hint(answers: WebhookAnswer[]): string | undefined {
  const status = (name: WebhookAnswer['name']) => answers.find((answer) => answer.name === name)?.status;
  const forged = answers.filter((answer) => answer.name !== 'signed' && answer.status !== undefined);
  const signed = status('signed');
  if (forged.some((answer) => (answer.status as number) < 300)) {
    return 'The route accepts events it cannot have received from Razorpay: verify X-Razorpay-Signature over the raw body with Razorpay.validateWebhookSignature(body, signature, RAZORPAY_WEBHOOK_SECRET) and answer 400 when it does not match.';
  }
  if (forged.some((answer) => (answer.status as number) >= 500)) {
    return 'The route fails (5xx) on an invalid or missing signature instead of rejecting it: catch the verification failure and answer 400, so Razorpay does not retry forged events.';
  }
  if (signed !== undefined && (signed < 200 || signed >= 300) && forged.every((answer) => (answer.status as number) >= 400 && (answer.status as number) < 500)) {
    return 'The route rejects correctly signed events: check that RAZORPAY_WEBHOOK_SECRET matches the secret in the Razorpay Dashboard and that the handler verifies the raw request body (not re-serialised JSON).';
  }
  return undefined;
}

export default defineProbe({
  id: 'razorpay.webhook-signature',
  sends: { to: 'the deployment\'s Razorpay webhook route (RAZORPAY_WEBHOOK_URL or url)', what: 'POSTs of a webhook event: one correctly signed with RAZORPAY_WEBHOOK_SECRET, one with a wrong signature, one with none, one with a signature over a different body', effect: 'a correctly signed delivery is accepted by the route; see the finding for the event type it carries' },
  title: 'Razorpay webhook route verifies X-Razorpay-Signature',
  description:
    'Sends the deployment\'s Razorpay webhook route a realistic payment.captured event (for a fictitious payment) four times: correctly signed with RAZORPAY_WEBHOOK_SECRET (expects 2xx), with a wrong signature, with none, and with a valid signature over a different body (expects 4xx for each). Signatures are made and checked with the razorpay SDK\'s validateWebhookSignature.',
  params: z.object({
    /** The webhook route, e.g. https://api.example.in/api/webhooks/razorpay; default RAZORPAY_WEBHOOK_URL. There is no universal path. */
    url: z.string().default(''),
  }),
  remediation:
    'Verify every webhook with Razorpay.validateWebhookSignature(rawBody, req.headers["x-razorpay-signature"], RAZORPAY_WEBHOOK_SECRET), answer 2xx only for valid signatures and 400 otherwise; keep the secret equal to the one configured in the Razorpay Dashboard.',
  suggests: [{ match: /razorpay webhook/i, severity: 'critical' }],
  async run(ctx, params): Promise<Finding> {
    const expected = 'signed event → 2xx; wrong, missing or replayed signature → 4xx';
    const url = params.url || ctx.target.get('RAZORPAY_WEBHOOK_URL');
    if (!url) return { status: 'skipped', observed: 'no webhook URL: set RAZORPAY_WEBHOOK_URL or the catalog param url', expected };
    const secret = ctx.target.get('RAZORPAY_WEBHOOK_SECRET');
    if (!secret) return { status: 'skipped', observed: 'RAZORPAY_WEBHOOK_SECRET is not set', expected };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return { status: 'error', observed: 'the webhook URL is not a valid URL', expected };
    }
    const answers = await webhookAnswers(ctx, target, secret);
    const finding = combine(judgeWebhook(answers), `${target.origin}${target.pathname}: ${expected}`);
    const fix = hint(answers);
    return fix && finding.status !== 'pass' ? { ...finding, remediation: fix } : finding;
  },
});
