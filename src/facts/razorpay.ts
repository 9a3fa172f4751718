import { createHmac, randomBytes } from 'node:crypto';
import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { apiRequest, joinUrl, jsonOf } from './api.js';

export const RAZORPAY_API_URL = 'https://api.razorpay.com';

/** What the Razorpay API answered to a harmless authenticated read (`GET /v1/payments?count=1`). */
export interface RazorpayAuthFact {
  status?: number;
  /** Razorpay's error code and description (`BAD_REQUEST_ERROR`, "The api key provided is invalid"). */
  errorCode?: string;
  errorDescription?: string;
  /** A transport error: no answer at all. */
  error?: string;
}

export function razorpayAuth(ctx: ProbeContext, apiUrl: string, keyId: string, keySecret: string): Promise<RazorpayAuthFact> {
  const url = joinUrl(apiUrl, '/v1/payments?count=1');
  return ctx.facts.once(`razorpay-auth ${url.href} ${keyId}`, async () => {
    ctx.facts.countContact('razorpay', url.origin);
    try {
      const response = await apiRequest(ctx, url, {
        headers: { authorization: `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}` },
      });
      const error = (jsonOf(response) as { error?: { code?: unknown; description?: unknown } } | undefined)?.error;
      return {
        status: response.status,
        ...(typeof error?.code === 'string' ? { errorCode: error.code } : {}),
        ...(typeof error?.description === 'string' ? { errorDescription: error.description } : {}),
      };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  });
}

/**
 * The deliveries of razorpay.webhook-signature, and what a route that enforces signatures answers
 * to each. Every one carries the same harmless probe event (PROBE_EVENT); only the bytes and the
 * signature differ, so the answers can be contrasted.
 */
export const WEBHOOK_CASES = [
  { name: 'signed', label: 'correctly signed', expect: '2xx' },
  { name: 'respaced', label: 'correctly signed, same JSON re-spaced', expect: '2xx' },
  { name: 'wrong-signature', label: 'wrong signature', expect: '4xx' },
  { name: 'unsigned', label: 'no X-Razorpay-Signature', expect: '4xx' },
  { name: 'replayed-signature', label: "another body's valid signature", expect: '4xx' },
] as const;

export type WebhookCaseName = (typeof WEBHOOK_CASES)[number]['name'];

export interface WebhookAnswer {
  name: WebhookCaseName;
  status?: number;
  /** The start of the response body, to tell apart two refusals with the same status. */
  body?: string;
  error?: string;
}

/**
 * The event every delivery carries. Razorpay names events `<entity>.<action>` over its own entities
 * (payment, order, refund, transfer, payout, subscription, invoice, ...); `bazaarhub_check` is none of
 * them, so no handler's switch, prefix match or entity lookup can act on it. The account id is not
 * in Razorpay's format (`acc_` + 14 alphanumerics), so it matches no merchant account, and the
 * payload holds no payment, order or refund entity: a handler, verifying or not, has nothing to
 * process and should log it as unhandled and answer 200.
 */
export const PROBE_EVENT = 'bazaarhub_check.signature_probe';
export const PROBE_ACCOUNT_ID = 'acc_bazaarhub_check_probe';

export function probeEvent(createdAt = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    entity: 'event',
    account_id: PROBE_ACCOUNT_ID,
    event: PROBE_EVENT,
    contains: ['bazaarhub_check'],
    payload: { bazaarhub_check: { entity: { probe: 'razorpay.webhook-signature', note: 'a signature check by bazaarhub-check; not a Razorpay event, nothing to process' } } },
    created_at: createdAt,
  };
}

/** What the finding says was sent, so an operator reading the application's logs knows these deliveries. */
export const WEBHOOK_SENT = `POSTs of the made-up event ${PROBE_EVENT} (account ${PROBE_ACCOUNT_ID}, no payment, order or refund entity; no X-Razorpay-Event-Id)`;

/** The razorpay SDK, loaded on first use: the stand-in verifies deliveries with it as BazaarHub does, and a test checks our signatures against it. */
export async function razorpaySdk(): Promise<{ validateWebhookSignature(body: string, signature: string, secret: string): boolean }> {
  const module = (await import('razorpay')) as unknown as { default: { validateWebhookSignature(body: string, signature: string, secret: string): boolean } };
  return module.default;
}

/**
 * X-Razorpay-Signature for a body: hex HMAC-SHA256 keyed with the webhook secret, as Razorpay signs
 * and as the SDK's validateWebhookSignature checks (test/razorpay/webhook.test.ts holds the two
 * together). Not checked against the SDK at run time: loading it (and axios with it) cost ~55 ms of
 * every full run's CPU for a scheme that does not change.
 */
export async function signWebhook(body: string, secret: string): Promise<string> {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Delivers the cases to the webhook URL, one after the other, and records each answer. */
export function webhookAnswers(ctx: ProbeContext, webhookUrl: URL, secret: string): Promise<WebhookAnswer[]> {
  return ctx.facts.once(`razorpay-webhook ${webhookUrl.href}`, async () => {
    const event = probeEvent();
    // Razorpay sends compact JSON; the re-spaced copy is the same JSON with other bytes.
    const body = JSON.stringify(event);
    const respaced = JSON.stringify(event, null, 2);
    const otherBody = JSON.stringify({ ...event, created_at: (event.created_at as number) + 1 });
    const wrongSecret = randomBytes(24).toString('base64');
    const bodies: Record<WebhookCaseName, { body: string; signature?: string }> = {
      signed: { body, signature: await signWebhook(body, secret) },
      respaced: { body: respaced, signature: await signWebhook(respaced, secret) },
      'wrong-signature': { body, signature: await signWebhook(body, wrongSecret) },
      unsigned: { body },
      'replayed-signature': { body: otherBody, signature: await signWebhook(body, secret) },
    };
    const answers: WebhookAnswer[] = [];
    for (const { name } of WEBHOOK_CASES) {
      const delivery = bodies[name];
      ctx.facts.countContact('webhook', webhookUrl.origin);
      try {
        const response = await apiRequest(ctx, webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(delivery.signature ? { 'x-razorpay-signature': delivery.signature } : {}) },
          body: delivery.body,
        });
        answers.push({ name, status: response.status, body: response.body.slice(0, 200) });
      } catch (error) {
        answers.push({ name, error: errorMessage(error) });
      }
    }
    return answers;
  });
}
