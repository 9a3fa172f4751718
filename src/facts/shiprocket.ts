import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { apiRequest, joinUrl, jsonOf } from './api.js';

export const SHIPROCKET_BASE_URL = 'https://apiv2.shiprocket.in/v1/external';

/** The external API's root: a bare host (`https://apiv2.shiprocket.in`) gets Shiprocket's `/v1/external`. */
export function shiprocketRoot(base: string): URL {
  const url = new URL(base);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/external';
  return url;
}

export interface ShiprocketAnswer {
  status?: number;
  /** Shiprocket's `message` field, e.g. "Invalid email and password combination". */
  message?: string;
  error?: string;
}

export interface ShiprocketLogin extends ShiprocketAnswer {
  /** The bearer token; stays inside the facts, never reported. */
  token?: string;
}

function describe(body: unknown): { message?: string } {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? { message: message.slice(0, 200) } : {};
}

/** `POST /auth/login` with the API user's email and password. */
export function shiprocketLogin(ctx: ProbeContext, root: URL, email: string, password: string): Promise<ShiprocketLogin> {
  const url = joinUrl(root, '/auth/login');
  return ctx.facts.once(`shiprocket-login ${url.href} ${email}`, async () => {
    ctx.facts.countContact('shiprocket', url.origin);
    try {
      const response = await apiRequest(ctx, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const body = jsonOf(response) as { token?: unknown } | undefined;
      const token = typeof body?.token === 'string' && body.token !== '' ? body.token : undefined;
      return { status: response.status, ...(token ? { token } : {}), ...describe(body) };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  });
}

/** A harmless authenticated read (by default the pickup locations). */
export function shiprocketRead(ctx: ProbeContext, root: URL, token: string, path: string): Promise<ShiprocketAnswer> {
  const url = joinUrl(root, path);
  return ctx.facts.once(`shiprocket-read ${url.href} ${token}`, async () => {
    ctx.facts.countContact('shiprocket', url.origin);
    try {
      const response = await apiRequest(ctx, url, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, ...describe(jsonOf(response)) };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  });
}
