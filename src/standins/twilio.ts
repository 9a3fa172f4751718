import { randomBytes } from 'node:crypto';
import type { StandIn } from '../demo/standin.js';
import { basicCredentials, listenHttp, sameSecret, sendJson } from './http.js';

/**
 * A Twilio REST API stand-in on 127.0.0.1: Basic auth with the account SID and auth token, the
 * account resource (status, type) and the incoming-phone-numbers list filtered by PhoneNumber,
 * with Twilio's own error bodies (20003 Authenticate, 20404 not found). Messages.json is accepted
 * and recorded as a message that would have been sent, so a test can prove none is.
 */
export interface TwilioStandInOptions {
  accountSid?: string;
  authToken?: string;
  status?: 'active' | 'suspended' | 'closed';
  type?: 'Full' | 'Trial';
  numbers?: Array<{ phoneNumber: string; sms?: boolean }>;
}

export interface RunningTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  /** Messages the API was asked to send (POST .../Messages.json): the side effect a probe must never cause. */
  messages: string[];
  close(): Promise<void>;
}

const MORE = 'https://www.twilio.com/docs/errors/';

export async function startTwilioStandIn(options: TwilioStandInOptions = {}): Promise<RunningTwilio> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const messages: string[] = [];
  const http = await listenHttp((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const credentials = basicCredentials(req);
    if (!credentials || !sameSecret(credentials.user, accountSid) || !sameSecret(credentials.password, authToken)) {
      res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
      return sendJson(res, 401, { code: 20003, message: 'Authenticate', more_info: `${MORE}20003`, status: 401 });
    }
    const notFound = () => sendJson(res, 404, { code: 20404, message: `The requested resource ${url.pathname} was not found`, more_info: `${MORE}20404`, status: 404 });
    const account = /^\/2010-04-01\/Accounts\/([^/]+?)(\.json|\/.*)$/.exec(url.pathname);
    if (!account || account[1] !== accountSid) return notFound();
    const rest = account[2];
    if (req.method === 'GET' && rest === '.json') {
      return sendJson(res, 200, { sid: accountSid, friendly_name: 'BazaarHub', status: options.status ?? 'active', type: options.type ?? 'Full', owner_account_sid: accountSid, date_created: 'Tue, 02 Jan 2024 10:00:00 +0000', uri: `/2010-04-01/Accounts/${accountSid}.json` });
    }
    if (req.method === 'GET' && rest === '/IncomingPhoneNumbers.json') {
      const wanted = url.searchParams.get('PhoneNumber');
      const numbers = (options.numbers ?? []).filter((number) => !wanted || number.phoneNumber === wanted);
      return sendJson(res, 200, {
        incoming_phone_numbers: numbers.map((number, index) => ({ sid: `PN${String(index).padStart(32, '0')}`, account_sid: accountSid, phone_number: number.phoneNumber, capabilities: { voice: true, sms: number.sms ?? true, mms: false, fax: false }, status: 'in-use' })),
        page: 0,
        page_size: 50,
        start: 0,
        end: Math.max(0, numbers.length - 1),
        uri: url.pathname + url.search,
      });
    }
    if (req.method === 'POST' && rest === '/Messages.json') {
      messages.push(body);
      return sendJson(res, 201, { sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued' });
    }
    return notFound();
  });
  return { url: http.url, accountSid, authToken, messages, close: http.close };
}

/** The demo's SMS provider: an active Twilio account owning the sender number. */
export const twilioStandIn: StandIn = {
  name: 'twilio',
  async start() {
    const from = '+919876543210';
    const twilio = await startTwilioStandIn({ numbers: [{ phoneNumber: from }] });
    return {
      name: 'twilio',
      env: { SMS_PROVIDER: 'twilio', SMS_ACCOUNT_SID: twilio.accountSid, SMS_AUTH_TOKEN: twilio.authToken, SMS_FROM_NUMBER: from, SMS_API_URL: twilio.url },
      note: `Twilio SMS API at ${twilio.url}`,
      activity: () => ({ messagesSent: twilio.messages.length }),
      close: twilio.close,
    };
  },
};
