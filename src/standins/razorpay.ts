import { randomBytes } from 'node:crypto';
import type { StandIn } from '../demo/standin.js';
import { razorpaySdk } from '../facts/razorpay.js';
import { basicCredentials, listenHttp, sendJson, sameSecret } from './http.js';

/**
 * A Razorpay stand-in on 127.0.0.1: the API's Basic-auth behaviour (key id as user, key secret as
 * password; Razorpay's own error bodies for a missing or wrong key) on read-only collection
 * routes, and two webhook receivers: `/webhooks/razorpay` verifies X-Razorpay-Signature with the
 * razorpay SDK's validateWebhookSignature as BazaarHub's backend should, and
 * `/webhooks/razorpay-unverified` accepts anything, as a broken deployment would.
 */
export interface RazorpayStandInOptions {
  keyId?: string;
  keySecret?: string;
  webhookSecret?: string;
}

export interface RunningRazorpay {
  url: string;
  apiUrl: string;
  webhookUrl: string;
  unverifiedWebhookUrl: string;
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  /** The events the verifying receiver accepted, parsed. */
  accepted: unknown[];
  /** API calls other than GET (creating orders, payments, refunds). */
  apiWrites: string[];
  close(): Promise<void>;
}

const COLLECTIONS = new Set(['payments', 'orders', 'refunds', 'settlements', 'customers']);

function razorpayError(description: string, code = 'BAD_REQUEST_ERROR') {
  return { error: { code, description, source: 'NA', step: 'NA', reason: 'NA', metadata: {} } };
}


export async function startRazorpayStandIn(options: RazorpayStandInOptions = {}): Promise<RunningRazorpay> {
  const keyId = options.keyId ?? `rzp_live_${randomBytes(7).toString('hex').slice(0, 14)}`;
  const keySecret = options.keySecret ?? randomBytes(18).toString('base64url');
  const webhookSecret = options.webhookSecret ?? randomBytes(24).toString('base64url');
  const sdk = await razorpaySdk();
  const accepted: unknown[] = [];
  const apiWrites: string[] = [];
  const http = await listenHttp((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname.replace(/\/+$/, '');
    if (req.method === 'POST' && path === '/webhooks/razorpay') {
      const signature = req.headers['x-razorpay-signature'];
      if (typeof signature !== 'string' || signature === '') return sendJson(res, 400, { error: 'missing X-Razorpay-Signature' });
      if (!sdk.validateWebhookSignature(body, signature, webhookSecret)) return sendJson(res, 400, { error: 'invalid signature' });
      accepted.push(JSON.parse(body) as unknown);
      return sendJson(res, 200, { status: 'ok' });
    }
    if (req.method === 'POST' && path === '/webhooks/razorpay-unverified') return sendJson(res, 200, { status: 'ok' });
    const api = /^\/v1\/([a-z_]+)$/.exec(path);
    if (!api?.[1]) return sendJson(res, 404, razorpayError('The requested URL was not found on the server.'));
    if (req.method !== 'GET' && req.method !== 'HEAD') apiWrites.push(`${req.method} ${path}`);
    const credentials = basicCredentials(req);
    if (!credentials) return sendJson(res, 401, razorpayError('Please provide your api key for authentication purposes.'));
    if (!sameSecret(credentials.user, keyId) || !sameSecret(credentials.password, keySecret)) {
      return sendJson(res, 401, razorpayError('The api key provided is invalid'));
    }
    if (req.method !== 'GET' || !COLLECTIONS.has(api[1])) return sendJson(res, 400, razorpayError('The requested URL was not found on the server.'));
    return sendJson(res, 200, { entity: 'collection', count: 0, items: [] });
  });
  return {
    url: http.url,
    apiUrl: http.url,
    webhookUrl: `${http.url}/webhooks/razorpay`,
    unverifiedWebhookUrl: `${http.url}/webhooks/razorpay-unverified`,
    keyId,
    keySecret,
    webhookSecret,
    accepted,
    apiWrites,
    close: http.close,
  };
}

/** The webhook event types BazaarHub's handler acts on (records payments, updates statistics); any other is logged and answered 200. */
export const BAZAARHUB_HANDLED_EVENTS = new Set(['payment.authorized', 'payment.captured', 'payment.success', 'payment.failed', 'refund.created', 'refund.processed', 'refund.failed', 'order.paid', 'transfer.processed', 'transfer.failed', 'transfer.reversed']);

function bazaarhubActsOn(event: unknown): boolean {
  const type = (event as { event?: unknown } | null)?.event;
  return typeof type === 'string' && BAZAARHUB_HANDLED_EVENTS.has(type);
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
      activity: () => ({ apiWrites: [...razorpay.apiWrites], webhookEventsActedOn: razorpay.accepted.filter(bazaarhubActsOn).map((event) => (event as { event?: unknown }).event) }),
      close: razorpay.close,
    };
  },
};
