import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { TWILIO_API_URL, twilioAccount, twilioNumber, type TwilioAnswer } from '../../src/facts/sms.js';

function reason(answer: TwilioAnswer): string {
  return [answer.errorCode, answer.errorMessage].filter((part) => part !== undefined && part !== '').join(' ');
}

/** Pure: the account authenticates, is active, and is not a trial account in production. */
export function judgeAccount(answer: TwilioAnswer, origin: string, production: boolean): FindingDetail {
  const subject = 'account';
  if (answer.error !== undefined) return { subject, status: 'error', observed: `no answer from ${origin}: ${answer.error}` };
  if (answer.status === 401) return { subject, status: 'fail', observed: `SMS_ACCOUNT_SID/SMS_AUTH_TOKEN rejected by ${origin} (401${reason(answer) ? ` ${reason(answer)}` : ''})` };
  if (answer.status === 404) return { subject, status: 'fail', observed: `no such account at ${origin} (404${reason(answer) ? ` ${reason(answer)}` : ''})` };
  if (answer.status !== 200) return { subject, status: 'error', observed: `${origin} answered ${answer.status}${reason(answer) ? ` ${reason(answer)}` : ''}` };
  const status = String(answer.body?.status ?? 'unknown');
  const type = String(answer.body?.type ?? 'unknown');
  const seen = `account ${status}, type ${type}`;
  if (status !== 'active') return { subject, status: 'fail', observed: `${seen}: a ${status} account sends nothing` };
  if (type === 'Trial' && production) return { subject, status: 'fail', observed: `${seen}: a trial account sends only to verified numbers, with a trial prefix` };
  return { subject, status: 'pass', observed: seen };
}

/** Pure: the sender number is one of the account's numbers and can send SMS. */
export function judgeSender(answer: TwilioAnswer, number: string): FindingDetail {
  const subject = 'SMS_FROM_NUMBER';
  if (answer.error !== undefined) return { subject, status: 'error', observed: `no answer: ${answer.error}` };
  if (answer.status !== 200) return { subject, status: 'error', observed: `the number lookup answered ${answer.status}${reason(answer) ? ` ${reason(answer)}` : ''}` };
  const numbers = Array.isArray(answer.body?.incoming_phone_numbers) ? (answer.body.incoming_phone_numbers as Array<{ phone_number?: unknown; capabilities?: { sms?: unknown } }>) : [];
  const found = numbers.find((entry) => entry.phone_number === number);
  if (!found) return { subject, status: 'fail', observed: `${number} is not a number of this account` };
  if (found.capabilities?.sms === false) return { subject, status: 'fail', observed: `${number} belongs to the account but cannot send SMS` };
  return { subject, status: 'pass', observed: `${number} belongs to the account and can send SMS` };
}

export default defineProbe({
  id: 'sms.account',
  sends: { to: 'the SMS provider\'s API (SMS_API_URL, default api.twilio.com)', what: 'GET /2010-04-01/Accounts/{sid}.json and GET .../IncomingPhoneNumbers.json?PhoneNumber=<SMS_FROM_NUMBER>, Basic auth with the account sid and token', effect: 'none' },
  title: 'SMS provider account is active and owns the sender number',
  description:
    'With SMS_PROVIDER=twilio: SMS_ACCOUNT_SID/SMS_AUTH_TOKEN authenticate against Twilio\'s REST API (GET of the account), the account is active and, in production, not a trial account; and SMS_FROM_NUMBER (an E.164 number) is one of the account\'s numbers with SMS capability. No message is sent. Other providers are skipped with the reason.',
  params: z.object({
    /** Twilio API base URL; default SMS_API_URL, then https://api.twilio.com. */
    apiUrl: z.string().default(''),
    /** auto: a trial account fails when NODE_ENV=production; any: trial accounts pass. */
    mode: z.enum(['auto', 'any']).default('auto'),
  }),
  remediation:
    'Upgrade the Twilio account from trial, use an active account\'s SID and auth token in SMS_ACCOUNT_SID/SMS_AUTH_TOKEN, and set SMS_FROM_NUMBER to an SMS-capable number of that account (Phone Numbers → Manage → Active numbers).',
  suggests: [{ match: /^Configure SMS service/i, severity: 'high' }],
  async run(ctx, params) {
    const provider = (ctx.target.get('SMS_PROVIDER') ?? '').trim().toLowerCase();
    const expected = 'an active SMS provider account whose credentials authenticate, with the sender number on that account';
    if (provider !== 'twilio') {
      return { status: 'skipped', observed: provider ? `SMS_PROVIDER=${provider}: only Twilio's API is checked; verify this provider's account by hand` : 'SMS_PROVIDER is not set', expected };
    }
    const sid = ctx.target.get('SMS_ACCOUNT_SID');
    const token = ctx.target.get('SMS_AUTH_TOKEN');
    const missing = [!sid && 'SMS_ACCOUNT_SID', !token && 'SMS_AUTH_TOKEN'].filter((name): name is string => Boolean(name));
    if (!sid || !token) return combine(missing.map((name) => ({ subject: name, status: 'fail', observed: 'not set' })), expected);
    const apiUrl = params.apiUrl || ctx.target.get('SMS_API_URL') || TWILIO_API_URL;
    const origin = new URL(apiUrl).origin;
    const account = judgeAccount(await twilioAccount(ctx, apiUrl, sid, token), origin, params.mode === 'auto' && ctx.target.get('NODE_ENV') === 'production');
    const details: FindingDetail[] = [account];
    const from = ctx.target.get('SMS_FROM_NUMBER');
    if (account.status === 'pass') {
      if (!from) details.push({ subject: 'SMS_FROM_NUMBER', status: 'fail', observed: 'not set' });
      else if (/^\+[1-9]\d{6,14}$/.test(from)) details.push(judgeSender(await twilioNumber(ctx, apiUrl, sid, token, from), from));
      else details.push({ subject: 'SMS_FROM_NUMBER', status: 'warn', observed: 'not an E.164 number (an alphanumeric sender ID or a messaging service): not looked up' });
    }
    return combine(details, expected);
  },
});
