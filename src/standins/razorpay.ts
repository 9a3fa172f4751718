import { randomBytes } from 'node:crypto';
import type { StandIn } from '../demo/standin.js';
import { razorpaySdk } from '../facts/razorpay.js';
import { basicCredentials, listenHttp, sendJson, sameSecret } from './http.js';

/**
 * A Razorpay stand-in on 127.0.0.1: the API's Basic-auth behaviour (key id as user, key secret as
 * password; Razorpay's own error bodies for a missing or wrong key) on read-only collection
 * routes, and webhook receivers that behave like the handlers real deployments run. Each receiver
 * records what it received and what it would have processed, so a test can prove that a probe run
 * made no application act (see WEBHOOK_VARIANTS).
 */
export interface RazorpayStandInOptions {
  keyId?: string;
  keySecret?: string;
  webhookSecret?: string;
}

/**
 * How each webhook route behaves, as handlers are written in the wild:
 * - `bazaarhub`: BazaarHub's handler. Verifies X-Razorpay-Signature over the raw body (400 when it
 *   is missing or wrong), then processes the event types it handles and answers 200 to any other.
 * - `reserialised`: the common mistake, verifying `JSON.stringify(req.body)` after express.json():
 *   any delivery whose bytes differ from that re-serialisation is refused as badly signed.
 * - `unverified`: verifies nothing, processes everything it recognises, answers 200.
 * - `always-200`: verifies the raw body, but acknowledges every delivery with 200 (a valid way to
 *   stop retries of forgeries, and indistinguishable from `unverified` from outside).
 * - `rejects-unknown`: verifies, then answers 400 to event types it does not handle.
 */
export const WEBHOOK_VARIANTS = ['bazaarhub', 'reserialised', 'unverified', 'always-200', 'rejects-unknown'] as const;
export type WebhookVariant = (typeof WEBHOOK_VARIANTS)[number];

/** BazaarHub's handled event types (its webhook controller's switch). */
export const HANDLED_EVENTS = new Set([
  'payment.authorized', 'payment.captured', 'payment.success', 'payment.failed', 'refund.created', 'refund.processed', 'refund.failed',
  'order.paid', 'transfer.processed', 'transfer.failed', 'transfer.reversed',
]);

/** The entities whose presence in a payload makes a liberal handler act, whatever the event name says. */
const ACTIONABLE_ENTITIES = ['payment', 'order', 'refund', 'transfer', 'payout', 'settlement', 'subscription', 'invoice', 'payment_link', 'qr_code', 'virtual_account'];

export interface WebhookDelivery {
  variant: WebhookVariant;
  /** Whether X-Razorpay-Signature matched the raw body under the route's secret. */
  signatureValid: boolean;
  event: unknown;
  status: number;
}

export interface ProcessedEvent {
  variant: WebhookVariant;
  event: string;
  /** What the application would have done: "recorded payment pay_… and updated payment statistics". */
  action: string;
}

/**
 * What an application would act on in an event, as the most liberal real handler reads it: a handled
 * event type, any event of a payment-like entity (`payment.*`, `refund.*`, …), or a payload carrying
 * a payment-like entity. Undefined when nothing in it can be acted on.
 */
export function actionFor(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { event: name, payload } = event as { event?: unknown; payload?: Record<string, { entity?: { id?: unknown } } | undefined> };
  const entities = ACTIONABLE_ENTITIES.filter((entity) => payload?.[entity] !== undefined);
  const prefix = typeof name === 'string' ? ACTIONABLE_ENTITIES.find((entity) => name.startsWith(`${entity}.`)) : undefined;
  if (typeof name === 'string' && HANDLED_EVENTS.has(name)) return `handled ${name}: would have recorded it and updated payment statistics`;
  if (prefix) return `${name as string}: a ${prefix} event a handler keyed on the entity would act on`;
  if (entities.length > 0) return `payload carries ${entities.join(', ')} entities a handler would read`;
  return undefined;
}

export interface RunningRazorpay {
  url: string;
  apiUrl: string;
  /** The `bazaarhub` receiver. */
  webhookUrl: string;
  /** The `unverified` receiver. */
  unverifiedWebhookUrl: string;
  /** Every receiver, by variant. */
  webhookUrls: Record<WebhookVariant, string>;
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  /** The events the `bazaarhub` receiver accepted as correctly signed, parsed. */
  accepted: unknown[];
  /** Every delivery any receiver got. */
  deliveries: WebhookDelivery[];
  /** What the receivers would have acted on: must stay empty for anything bazaarhub-check sends. */
  processed: ProcessedEvent[];
  close(): Promise<void>;
}

const COLLECTIONS = new Set(['payments', 'orders', 'refunds', 'settlements', 'customers']);

function razorpayError(description: string, code = 'BAD_REQUEST_ERROR') {
  return { error: { code, description, source: 'NA', step: 'NA', reason: 'NA', metadata: {} } };
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export async function startRazorpayStandIn(options: RazorpayStandInOptions = {}): Promise<RunningRazorpay> {
  const keyId = options.keyId ?? `rzp_live_${randomBytes(7).toString('hex').slice(0, 14)}`;
  const keySecret = options.keySecret ?? randomBytes(18).toString('base64url');
  const webhookSecret = options.webhookSecret ?? randomBytes(24).toString('base64url');
  const sdk = await razorpaySdk();
  const accepted: unknown[] = [];
  const deliveries: WebhookDelivery[] = [];
  const processed: ProcessedEvent[] = [];
  const verifies = (text: string, signature: string | undefined) => typeof signature === 'string' && signature !== '' && sdk.validateWebhookSignature(text, signature, webhookSecret);

  function webhook(variant: WebhookVariant, signature: string | undefined, body: string): { status: number; json: unknown } {
    const event = parse(body);
    const signatureValid = verifies(body, signature);
    const process = () => {
      const action = actionFor(event);
      const name = (event as { event?: unknown } | undefined)?.event;
      if (action) processed.push({ variant, event: typeof name === 'string' ? name : '(none)', action });
      return action;
    };
    let answer: { status: number; json: unknown };
    switch (variant) {
      case 'bazaarhub':
      case 'rejects-unknown':
        if (!signature) answer = { status: 400, json: { error: 'Missing signature' } };
        else if (!signatureValid) answer = { status: 400, json: { error: 'Invalid signature' } };
        else {
          accepted.push(event);
          const action = process();
          answer = action || variant === 'bazaarhub' ? { status: 200, json: { status: 'ok' } } : { status: 400, json: { error: 'Unhandled event type' } };
        }
        break;
      case 'reserialised': {
        // express.json() parsed the body; the handler signs JSON.stringify(req.body), not the bytes received.
        const reserialised = event === undefined ? '' : JSON.stringify(event);
        if (!signature) answer = { status: 400, json: { error: 'Missing signature' } };
        else if (!verifies(reserialised, signature)) answer = { status: 400, json: { error: 'Invalid signature' } };
        else {
          process();
          answer = { status: 200, json: { status: 'ok' } };
        }
        break;
      }
      case 'unverified':
        process();
        answer = { status: 200, json: { status: 'ok' } };
        break;
      case 'always-200':
        if (signatureValid) process();
        answer = { status: 200, json: { received: true } };
        break;
    }
    deliveries.push({ variant, signatureValid, event, status: answer.status });
    return answer;
  }

  const http = await listenHttp((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname.replace(/\/+$/, '');
    const route = /^\/webhooks\/razorpay(?:-([a-z0-9-]+))?$/.exec(path);
    if (req.method === 'POST' && route) {
      const variant = (route[1] ?? 'bazaarhub') as WebhookVariant;
      if (!WEBHOOK_VARIANTS.includes(variant)) return sendJson(res, 404, { error: 'Not Found' });
      const signature = req.headers['x-razorpay-signature'];
      const answer = webhook(variant, typeof signature === 'string' ? signature : undefined, body);
      return sendJson(res, answer.status, answer.json);
    }
    const api = /^\/v1\/([a-z_]+)$/.exec(path);
    if (!api?.[1]) return sendJson(res, 404, razorpayError('The requested URL was not found on the server.'));
    const credentials = basicCredentials(req);
    if (!credentials) return sendJson(res, 401, razorpayError('Please provide your api key for authentication purposes.'));
    if (!sameSecret(credentials.user, keyId) || !sameSecret(credentials.password, keySecret)) {
      return sendJson(res, 401, razorpayError('The api key provided is invalid'));
    }
    if (req.method !== 'GET' || !COLLECTIONS.has(api[1])) return sendJson(res, 400, razorpayError('The requested URL was not found on the server.'));
    return sendJson(res, 200, { entity: 'collection', count: 0, items: [] });
  });
  const webhookUrls = Object.fromEntries(
    WEBHOOK_VARIANTS.map((variant) => [variant, `${http.url}/webhooks/${variant === 'bazaarhub' ? 'razorpay' : `razorpay-${variant}`}`]),
  ) as Record<WebhookVariant, string>;
  return {
    url: http.url,
    apiUrl: http.url,
    webhookUrl: webhookUrls.bazaarhub,
    unverifiedWebhookUrl: webhookUrls.unverified,
    webhookUrls,
    keyId,
    keySecret,
    webhookSecret,
    accepted,
    deliveries,
    processed,
    close: http.close,
  };
}

/** The demo's Razorpay: live-looking keys, the API, and the verifying webhook route. */
export const razorpayStandIn: StandIn = {
  name: 'razorpay',
  async start() {
    const razorpay = await startRazorpayStandIn();
    return {
      name: 'razorpay',
      env: {
        RAZORPAY_KEY_ID: razorpay.keyId,
        RAZORPAY_KEY_SECRET: razorpay.keySecret,
        RAZORPAY_WEBHOOK_SECRET: razorpay.webhookSecret,
        RAZORPAY_API_URL: razorpay.apiUrl,
        RAZORPAY_WEBHOOK_URL: razorpay.webhookUrl,
      },
      note: `Razorpay API and verifying webhook receiver at ${razorpay.url}`,
      close: razorpay.close,
    };
  },
};
