import { Agent, request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoDeployment, type DemoDeployment } from '../../src/demo/deployment.js';
import { signWebhook } from '../../src/facts/razorpay.js';

/**
 * The read-only proof is only as good as its recorders: each stand-in must record the write a
 * careless probe would make. Each case here makes one such write and expects to see it.
 */
let deployment: DemoDeployment;
beforeAll(async () => {
  deployment = await startDemoDeployment();
}, 60_000);
afterAll(async () => {
  await deployment?.close();
});

async function send(url: string, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<number> {
  const target = new URL(url);
  if (target.protocol === 'http:') {
    const response = await fetch(target, { method: init.method, ...(init.body !== undefined ? { body: init.body } : {}), headers: init.headers ?? {} });
    await response.arrayBuffer();
    return response.status;
  }
  return new Promise((resolve, reject) => {
    const req = request(target, { method: init.method, headers: init.headers ?? {}, agent: new Agent({ ca: deployment.caPem }) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('the stand-ins record what they would have done', () => {
  it('records writes to every HTTP-speaking part of the deployment', async () => {
    const env = deployment.env;
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    await send(`${env.ELASTICSEARCH_NODE}/products/_doc/1`, { method: 'PUT', body: '{"name":"x"}', headers: { 'content-type': 'application/json', authorization: basic(env.ELASTICSEARCH_USERNAME as string, env.ELASTICSEARCH_PASSWORD as string) } });
    await send(`${env.ELASTICSEARCH_NODE}/products/_search`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: basic(env.ELASTICSEARCH_USERNAME as string, env.ELASTICSEARCH_PASSWORD as string) } });
    await send(`${env.PROMETHEUS_URL}/api/v1/admin/tsdb/delete_series?match[]=up`, { method: 'POST' });
    await send(`${env.RAZORPAY_API_URL}/v1/orders`, { method: 'POST', body: '{"amount":100}', headers: { authorization: basic(env.RAZORPAY_KEY_ID as string, env.RAZORPAY_KEY_SECRET as string), 'content-type': 'application/json' } });
    const event = JSON.stringify({ event: 'payment.captured', payload: { payment: { entity: { id: 'pay_x' } } } });
    expect(await send(env.RAZORPAY_WEBHOOK_URL as string, { method: 'POST', body: event, headers: { 'content-type': 'application/json', 'x-razorpay-signature': await signWebhook(event, env.RAZORPAY_WEBHOOK_SECRET as string) } })).toBe(200);
    await send(`${env.SHIPROCKET_BASE_URL}/orders/create/adhoc`, { method: 'POST', body: '{}' });
    await send(`${env.SMS_API_URL}/2010-04-01/Accounts/${env.SMS_ACCOUNT_SID}/Messages.json`, { method: 'POST', body: 'To=%2B919000000000&Body=x', headers: { authorization: basic(env.SMS_ACCOUNT_SID as string, env.SMS_AUTH_TOKEN as string), 'content-type': 'application/x-www-form-urlencoded' } });
    await send(`${env.STOREFRONT_URL}api/cart`, { method: 'POST', body: '{}' });

    const done = deployment.activity();
    expect(done.elasticsearch).toEqual({ writes: ['PUT /products/_doc/1'] });
    expect(done.prometheus).toEqual({ writes: ['POST /api/v1/admin/tsdb/delete_series?match[]=up'] });
    expect(done.razorpay).toEqual({ apiWrites: ['POST /v1/orders'], webhookEventsActedOn: ['payment.captured'] });
    expect(done.shiprocket).toEqual({ writes: ['POST /v1/external/orders/create/adhoc'] });
    expect(done.twilio).toEqual({ messagesSent: 1 });
    expect((done.web?.unsafeRequests as Record<string, string[]>).storefront).toEqual(['POST /api/cart']);
  });

  it('records a mail on its way at MAIL FROM, before any DATA', async () => {
    const { default: SMTPConnection } = (await import('nodemailer/lib/smtp-connection')) as unknown as {
      default: new (options: object) => { connect(done: (error?: Error) => void): void; login(auth: object, done: (error?: Error) => void): void; send(envelope: object, message: string, done: (error?: Error) => void): void; quit(): void };
    };
    const env = deployment.env;
    const connection = new SMTPConnection({ host: env.SMTP_HOST, port: Number(env.SMTP_PORT), tls: { ca: deployment.caPem } });
    await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve, reject) => connection.login({ user: env.SMTP_USER, pass: env.SMTP_PASSWORD }, (error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve, reject) => connection.send({ from: 'a@bazaarhub.example', to: ['b@bazaarhub.example'] }, 'Subject: x\r\n\r\nx\r\n', (error) => (error ? reject(error) : resolve())));
    connection.quit();
    expect(deployment.activity().smtp).toEqual({ envelope: ['MAIL FROM:<a@bazaarhub.example>', 'RCPT TO:<b@bazaarhub.example>'], mailsSent: 1 });
  });
});
