import { randomBytes } from 'node:crypto';
import type { StandIn } from '../demo/standin.js';
import { listenHttp, sendJson, sameSecret } from './http.js';

/**
 * A Shiprocket external-API stand-in on 127.0.0.1: `POST /v1/external/auth/login` issues a bearer
 * token for the configured API user, and the read-only routes (pickup locations, courier list)
 * answer only with a token it issued, with Shiprocket's own error shapes otherwise.
 */
export interface RunningShiprocket {
  baseUrl: string;
  email: string;
  password: string;
  /** A token valid without a login call, as deployments that keep a token in SHIPROCKET_API_KEY have. */
  issueToken(): string;
  /** Calls other than the login and GETs: the ones that would create orders, shipments or pickups. */
  writes: string[];
  close(): Promise<void>;
}


export async function startShiprocketStandIn(options: { email?: string; password?: string } = {}): Promise<RunningShiprocket> {
  const email = options.email ?? 'api-user@bazaarhub.example';
  const password = options.password ?? randomBytes(12).toString('base64url');
  const tokens = new Set<string>();
  const issueToken = () => {
    const token = `eyJ${randomBytes(24).toString('base64url')}`;
    tokens.add(token);
    return token;
  };
  const writes: string[] = [];
  const http = await listenHttp((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname.replace(/\/+$/, '');
    if (req.method !== 'GET' && req.method !== 'HEAD' && path !== '/v1/external/auth/login') writes.push(`${req.method} ${path}`);
    if (path === '/v1/external/auth/login' && req.method === 'POST') {
      let credentials: { email?: unknown; password?: unknown } = {};
      try {
        credentials = JSON.parse(body) as typeof credentials;
      } catch {
        return sendJson(res, 422, { message: 'The given data was invalid.', status_code: 422 });
      }
      if (typeof credentials.email !== 'string' || typeof credentials.password !== 'string' || !sameSecret(credentials.email, email) || !sameSecret(credentials.password, password)) {
        return sendJson(res, 403, { message: 'Invalid email and password combination', status_code: 403 });
      }
      return sendJson(res, 200, { id: 1, first_name: 'API', last_name: 'User', email, company_id: 1, created_at: new Date().toISOString(), token: issueToken() });
    }
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) return sendJson(res, 401, { message: 'Unauthenticated.', status_code: 401 });
    if (req.method === 'GET' && path === '/v1/external/settings/company/pickup') {
      return sendJson(res, 200, { data: { shipping_address: [{ id: 1, pickup_location: 'Primary', city: 'Bengaluru', state: 'Karnataka', country: 'India', pin_code: '560001' }], allow_more: '1', is_blackbox_seller: false } });
    }
    if (req.method === 'GET' && path === '/v1/external/courier/courierListWithCounts') return sendJson(res, 200, { courier_data: [], total_courier_count: 0 });
    return sendJson(res, 404, { message: 'Not found', status_code: 404 });
  });
  return { baseUrl: `${http.url}/v1/external`, email, password, issueToken, writes, close: http.close };
}

/** The demo's Shiprocket: an API user whose email and password the env carries. */
export const shiprocketStandIn: StandIn = {
  name: 'shiprocket',
  async start() {
    const shiprocket = await startShiprocketStandIn();
    return {
      name: 'shiprocket',
      env: { SHIPROCKET_BASE_URL: shiprocket.baseUrl, SHIPROCKET_EMAIL: shiprocket.email, SHIPROCKET_PASSWORD: shiprocket.password },
      note: `Shiprocket API at ${shiprocket.baseUrl}`,
      activity: () => ({ writes: [...shiprocket.writes] }),
      close: shiprocket.close,
    };
  },
};
