import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { apiRequest, joinUrl, jsonOf } from './api.js';

export const TWILIO_API_URL = 'https://api.twilio.com';

/** What Twilio's REST API answered to the two reads sms.account makes. */
export interface TwilioAnswer {
  status?: number;
  body?: Record<string, unknown>;
  /** Twilio's error code and message (20003 "Authenticate", 20404 "... was not found"). */
  errorCode?: number;
  errorMessage?: string;
  /** A transport error: no answer at all. */
  error?: string;
}

function twilioGet(ctx: ProbeContext, apiUrl: string, path: string, sid: string, token: string): Promise<TwilioAnswer> {
  const url = joinUrl(apiUrl, path);
  return ctx.facts.once(`twilio ${url.href}`, async () => {
    ctx.facts.countContact('twilio', url.origin);
    try {
      const response = await apiRequest(ctx, url, { headers: { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` } });
      const body = jsonOf(response) as Record<string, unknown> | undefined;
      const answer: TwilioAnswer = { status: response.status, ...(body && typeof body === 'object' ? { body } : {}) };
      if (response.status >= 400 && body) {
        if (typeof body.code === 'number') answer.errorCode = body.code;
        if (typeof body.message === 'string') answer.errorMessage = body.message;
      }
      return answer;
    } catch (error) {
      return { error: errorMessage(error) };
    }
  });
}

/** `GET /2010-04-01/Accounts/{sid}.json`: the account's status (active, suspended, closed) and type (Full, Trial). */
export function twilioAccount(ctx: ProbeContext, apiUrl: string, sid: string, token: string): Promise<TwilioAnswer> {
  return twilioGet(ctx, apiUrl, `/2010-04-01/Accounts/${encodeURIComponent(sid)}.json`, sid, token);
}

/** `GET /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json?PhoneNumber=...`: whether the sender number belongs to the account. */
export function twilioNumber(ctx: ProbeContext, apiUrl: string, sid: string, token: string, number: string): Promise<TwilioAnswer> {
  return twilioGet(ctx, apiUrl, `/2010-04-01/Accounts/${encodeURIComponent(sid)}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`, sid, token);
}
