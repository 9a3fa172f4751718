// A deployment where every service accepts TCP connections and never answers: one silent listener
// per service on 127.0.0.1, the env file pointing every variable at them, and the real binary run
// against it. The run must end within the per-probe timeout plus 1 s, every network probe `error`.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function silentServer() {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Env values pointing every service BazaarHub has at silent listeners. */
export function silentEnv(port) {
  const url = (scheme, path = '') => `${scheme}://127.0.0.1:${port()}${path}`;
  return {
    NODE_ENV: 'production',
    APP_URL: url('https'),
    STOREFRONT_URL: url('https'),
    VENDOR_PANEL_URL: url('https'),
    ADMIN_PANEL_URL: url('https'),
    APP_HTTP_URL: url('http'),
    STOREFRONT_HTTP_URL: url('http'),
    VENDOR_PANEL_HTTP_URL: url('http'),
    ADMIN_PANEL_HTTP_URL: url('http'),
    DATABASE_URL: `postgres://app:pw-silent-1234@127.0.0.1:${port()}/bazaarhub`,
    REDIS_URL: `redis://:pw-silent-1234@127.0.0.1:${port()}`,
    ELASTICSEARCH_NODE: url('http'),
    ELASTICSEARCH_USERNAME: 'elastic',
    ELASTICSEARCH_PASSWORD: 'pw-silent-1234',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(port()),
    SMTP_USER: 'mailer',
    SMTP_PASSWORD: 'pw-silent-1234',
    AWS_ENDPOINT_URL_S3: url('http'),
    AWS_S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'ap-south-1',
    AWS_ACCESS_KEY_ID: 'AKIASILENTEXAMPLE01',
    AWS_SECRET_ACCESS_KEY: 'silentAws0Kx82mQ7vT4pL9zR2wN6bH3cJ5dF',
    AWS_S3_BUCKET: 'bazaarhub-products',
    AWS_S3_KYC_BUCKET: 'bazaarhub-kyc',
    RAZORPAY_API_URL: url('http'),
    RAZORPAY_KEY_ID: 'rzp_live_silent000001',
    RAZORPAY_KEY_SECRET: 'silentRzp0Kx82mQ7vT4pL9',
    RAZORPAY_WEBHOOK_URL: url('http', '/api/webhooks/razorpay'),
    RAZORPAY_WEBHOOK_SECRET: 'silentHook0Kx82mQ7vT4pL9',
    SHIPROCKET_BASE_URL: url('http', '/v1/external'),
    SHIPROCKET_EMAIL: 'ops@example.com',
    SHIPROCKET_PASSWORD: 'pw-silent-1234',
    PROMETHEUS_URL: url('http'),
  };
}

/** Runs the binary against the silent deployment; returns wall time, exit code and the JSON report. */
export async function hangingRun(bin, { timeoutSeconds = 2 } = {}) {
  const servers = [];
  const dir = await mkdtemp(join(tmpdir(), 'bazaarhub-hang-'));
  try {
    for (let i = 0; i < 12; i++) servers.push(await silentServer());
    let next = 0;
    // A correct env file (every env.* check passes) whose services all point at silent listeners.
    const good = await readFile(new URL('../test/fixtures/good.env', import.meta.url), 'utf8');
    const env = silentEnv(() => servers[next++ % servers.length].port);
    const envFile = join(dir, '.env.production');
    await writeFile(envFile, `${good}\n${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--', bin, 'run', '--env-file', envFile, '--timeout', String(timeoutSeconds), '--no-manual', '--format', 'json', ...(process.env.HANG_ARGS ? process.env.HANG_ARGS.split(' ') : [])], {
        env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ...(process.env.HANG_NODE_OPTIONS ? { NODE_OPTIONS: process.env.HANG_NODE_OPTIONS } : {}) },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (err += chunk));
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(killer);
        resolve({ code: status, stdout: out, stderr: err });
      });
    });
    const wallMs = performance.now() - started;
    let report;
    try {
      report = JSON.parse(stdout);
    } catch {
      report = undefined;
    }
    return { wallMs, code, report, stderr, timeoutMs: timeoutSeconds * 1000 };
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    await rm(dir, { recursive: true, force: true });
  }
}
