import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import account from '../../checks/sms/account.js';
import { startTwilioStandIn, type RunningTwilio } from '../../src/standins/twilio.js';
import { runCli, withTempDir } from '../helpers/cli.js';
import { runProbe } from '../helpers/servers.js';

const FROM = '+919876543210';
let full: RunningTwilio;
let trial: RunningTwilio;
let suspended: RunningTwilio;

const envOf = (twilio: RunningTwilio, extra: Record<string, string> = {}) => ({
  NODE_ENV: 'production',
  SMS_PROVIDER: 'twilio',
  SMS_ACCOUNT_SID: twilio.accountSid,
  SMS_AUTH_TOKEN: twilio.authToken,
  SMS_FROM_NUMBER: FROM,
  SMS_API_URL: twilio.url,
  ...extra,
});

beforeAll(async () => {
  full = await startTwilioStandIn({ numbers: [{ phoneNumber: FROM }, { phoneNumber: '+14155550100', sms: false }] });
  trial = await startTwilioStandIn({ type: 'Trial', numbers: [{ phoneNumber: FROM }] });
  suspended = await startTwilioStandIn({ status: 'suspended', numbers: [{ phoneNumber: FROM }] });
});
afterAll(async () => {
  await Promise.all([full.close(), trial.close(), suspended.close()]);
});

describe('sms.account', () => {
  it('passes for an active full account that owns the SMS-capable sender, and sends no message', async () => {
    const finding = await runProbe(account, envOf(full));
    expect(finding.status).toBe('pass');
    expect(finding.details).toEqual([
      { subject: 'account', status: 'pass', observed: 'account active, type Full' },
      { subject: 'SMS_FROM_NUMBER', status: 'pass', observed: `${FROM} belongs to the account and can send SMS` },
    ]);
    expect(full.messages).toEqual([]);
  });

  it('fails on a wrong token, an unknown sid, a suspended or (in production) trial account, and a foreign or voice-only sender', async () => {
    const wrongToken = await runProbe(account, envOf(full, { SMS_AUTH_TOKEN: 'f'.repeat(32) }));
    expect(wrongToken).toMatchObject({ status: 'fail', observed: expect.stringMatching(/^account: SMS_ACCOUNT_SID\/SMS_AUTH_TOKEN rejected by http:\/\/127\.0\.0\.1:\d+ \(401 20003 Authenticate\)$/) });
    expect(JSON.stringify(wrongToken.details)).not.toContain('f'.repeat(32));
    expect((await runProbe(account, envOf(suspended))).observed).toBe('account: account suspended, type Full: a suspended account sends nothing');
    expect((await runProbe(account, envOf(trial))).observed).toMatch(/type Trial: a trial account sends only to verified numbers/);
    expect((await runProbe(account, envOf(trial), { mode: 'any' })).status).toBe('pass');
    expect((await runProbe(account, envOf(trial, { NODE_ENV: 'staging' }))).status).toBe('pass');
    expect((await runProbe(account, envOf(full, { SMS_FROM_NUMBER: '+919000000000' }))).observed).toBe('SMS_FROM_NUMBER: +919000000000 is not a number of this account');
    expect((await runProbe(account, envOf(full, { SMS_FROM_NUMBER: '+14155550100' }))).observed).toBe('SMS_FROM_NUMBER: +14155550100 belongs to the account but cannot send SMS');
    expect((await runProbe(account, envOf(full, { SMS_ACCOUNT_SID: '' }))).observed).toBe('SMS_ACCOUNT_SID: not set');
  });

  it('warns on a sender it cannot look up, skips other providers with the reason, errors when the API does not answer', async () => {
    expect((await runProbe(account, envOf(full, { SMS_FROM_NUMBER: 'BAZAAR' }))).status).toBe('warn');
    const sns = await runProbe(account, envOf(full, { SMS_PROVIDER: 'aws-sns' }));
    expect(sns).toMatchObject({ status: 'skipped', observed: "SMS_PROVIDER=aws-sns: only Twilio's API is checked; verify this provider's account by hand" });
    const gone = await startTwilioStandIn();
    await gone.close();
    expect((await runProbe(account, envOf(full, { SMS_API_URL: gone.url }))).status).toBe('error');
  });

  it('"Configure SMS service" through the binary: pass for the good account, fail for the trial one', async () => {
    await withTempDir(async (dir) => {
      const run = async (twilio: RunningTwilio) => {
        const envFile = join(dir, '.env.production');
        await writeFile(envFile, Object.entries(envOf(twilio)).map(([key, value]) => `${key}=${value}`).join('\n'));
        const result = await runCli(['run', '--env-file', envFile, '--only', 'sms.account', '--no-manual', '--fail-on', 'medium', '--format', 'json']);
        const report = JSON.parse(result.stdout) as { results: Array<{ id: string; status: string; observed: string }> };
        expect(report.results.map((entry) => entry.id)).toEqual(['pre-deployment.third-party-services.configure-sms-service']);
        expect(result.stdout).not.toContain(twilio.authToken);
        return { code: result.code, status: report.results[0]?.status };
      };
      expect(await run(full)).toEqual({ code: 0, status: 'pass' });
      expect(await run(trial)).toEqual({ code: 1, status: 'fail' });
    });
  });
});
