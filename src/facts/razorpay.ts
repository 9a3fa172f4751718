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

/** The four deliveries of razorpay.webhook-signature, and what each must get. */
export const WEBHOOK_CASES = [
  { name: 'signed', label: 'correctly signed event', expect: '2xx' },
  { name: 'wrong-signature', label: 'event with a wrong signature', expect: '4xx' },
  { name: 'unsigned', label: 'event without X-Razorpay-Signature', expect: '4xx' },
  { name: 'replayed-signature', label: 'valid signature over a different body', expect: '4xx' },
] as const;

export type WebhookCaseName = (typeof WEBHOOK_CASES)[number]['name'];

export interface WebhookAnswer {
  name: WebhookCaseName;
  status?: number;
  error?: string;
}

/**
 * A realistic `payment.captured` event, shaped like Razorpay's, for a fictitious payment (ids are
 * random, notes mark it as a bazaarhub-check probe) so no real order can match it.
 */
export function paymentCapturedEvent(amountPaise = 49_900): string {
  const now = Math.floor(Date.now() / 1000);
  const id = (prefix: string) => `${prefix}_${randomBytes(7).toString('hex').slice(0, 14)}`;
  return JSON.stringify({
    entity: 'event',
    account_id: id('acc'),
    event: 'payment.captured',
    contains: ['payment'],
    payload: {
      payment: {
        entity: {
          id: id('pay'),
          entity: 'payment',
          amount: amountPaise,
          currency: 'INR',
          status: 'captured',
          order_id: id('order'),
          invoice_id: null,
          international: false,
          method: 'upi',
          amount_refunded: 0,
          refund_status: null,
          captured: true,
          description: 'bazaarhub-check webhook probe',
          card_id: null,
          bank: null,
          wallet: null,
          vpa: 'probe@upi',
          email: 'probe@example.com',
          contact: '+919999999999',
          notes: { bazaarhub_check: 'webhook-signature probe; not a real payment' },
          fee: 1178,
          tax: 180,
          error_code: null,
          error_description: null,
          acquirer_data: { rrn: '000000000000' },
          created_at: now,
        },
      },
    },
    created_at: now,
  });
}

/** Loads the razorpay SDK lazily: its validateWebhookSignature is the reference for what a valid signature is. */
export async function razorpaySdk(): Promise<{ validateWebhookSignature(body: string, signature: string, secret: string): boolean }> {
  const module = (await import('razorpay')) as unknown as { default: { validateWebhookSignature(body: string, signature: string, secret: string): boolean } };
  return module.default;
}

/**
 * X-Razorpay-Signature for a body: hex HMAC-SHA256 keyed with the webhook secret, checked against
 * the Razorpay SDK's own validateWebhookSignature so the probe signs exactly as Razorpay does.
 */
export async function signWebhook(body: string, secret: string): Promise<string> {
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  if (!(await razorpaySdk()).validateWebhookSignature(body, signature, secret)) throw new Error('signature disagrees with the razorpay SDK');
  return signature;
}

/** Delivers the four cases to the webhook URL, one after the other, and records each answer. */
export function webhookAnswers(ctx: ProbeContext, webhookUrl: URL, secret: string): Promise<WebhookAnswer[]> {
  return ctx.facts.once(`razorpay-webhook ${webhookUrl.href}`, async () => {
    const body = paymentCapturedEvent();
    const otherBody = paymentCapturedEvent(99_900);
    const wrongSecret = randomBytes(24).toString('base64');
    const bodies: Record<WebhookCaseName, { body: string; signature?: string }> = {
      signed: { body, signature: await signWebhook(body, secret) },
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
          headers: {
            'content-type': 'application/json',
            'x-razorpay-event-id': `evt_${randomBytes(7).toString('hex').slice(0, 14)}`,
            ...(delivery.signature ? { 'x-razorpay-signature': delivery.signature } : {}),
          },
          body: delivery.body,
        });
        answers.push({ name, status: response.status });
      } catch (error) {
        answers.push({ name, error: errorMessage(error) });
      }
    }
    return answers;
  });
}
