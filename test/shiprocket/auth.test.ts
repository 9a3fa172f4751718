import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import auth from '../../checks/shiprocket/auth.js';
import { shiprocketRoot } from '../../src/facts/shiprocket.js';
import { startShiprocketStandIn, type RunningShiprocket } from '../../src/standins/shiprocket.js';
import { runProbe } from '../helpers/servers.js';

let shiprocket: RunningShiprocket;

beforeAll(async () => {
  shiprocket = await startShiprocketStandIn();
});
afterAll(async () => {
  await shiprocket.close();
});

describe('shiprocket.auth', () => {
  it('passes when the API user logs in and the pickup read answers', async () => {
    const finding = await runProbe(auth, { SHIPROCKET_BASE_URL: shiprocket.baseUrl, SHIPROCKET_EMAIL: shiprocket.email, SHIPROCKET_PASSWORD: shiprocket.password });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('token issued');
    expect(finding.observed).toContain('GET /settings/company/pickup: answered 200');
    expect(JSON.stringify({ ...finding, ctx: undefined })).not.toContain(shiprocket.password);
  });

  it('fails when the password is wrong', async () => {
    const finding = await runProbe(auth, { SHIPROCKET_BASE_URL: shiprocket.baseUrl, SHIPROCKET_EMAIL: shiprocket.email, SHIPROCKET_PASSWORD: 'wrong-password-123' });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('login: credentials rejected (403 "Invalid email and password combination")');
  });

  it('uses SHIPROCKET_API_KEY as a token: passes with a valid one, fails with a stale one', async () => {
    const base = { SHIPROCKET_BASE_URL: shiprocket.baseUrl };
    expect((await runProbe(auth, { ...base, SHIPROCKET_API_KEY: shiprocket.issueToken() })).status).toBe('pass');
    const stale = await runProbe(auth, { ...base, SHIPROCKET_API_KEY: 'eyJstale-token-000000' });
    expect(stale.status).toBe('fail');
    expect(stale.observed).toContain('token refused (401 "Unauthenticated.")');
  });

  it('takes the base URL from the param, errors when nothing answers, skips without credentials', async () => {
    const closed = await startShiprocketStandIn();
    await closed.close();
    const env = { SHIPROCKET_BASE_URL: 'http://127.0.0.1:9/unused', SHIPROCKET_EMAIL: closed.email, SHIPROCKET_PASSWORD: closed.password };
    const finding = await runProbe(auth, env, { baseUrl: closed.baseUrl });
    expect(finding.status).toBe('error');
    expect(finding.observed).toMatch(/login: no answer/);
    expect((await runProbe(auth, { SHIPROCKET_BASE_URL: shiprocket.baseUrl })).status).toBe('skipped');
  });

  it('adds /v1/external to a bare host', () => {
    expect(shiprocketRoot('https://apiv2.shiprocket.in').href).toBe('https://apiv2.shiprocket.in/v1/external');
    expect(shiprocketRoot('https://apiv2.shiprocket.in/v1/external/').pathname).toBe('/v1/external/');
  });
});
