import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNames } from '../../src/report/formats.js';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

/**
 * A weak database password (`password`) is masked where it stands as a value and nowhere else: the
 * entry id `...update-all-default-passwords-in-env`, the probe id `env.default-passwords` and the
 * catalog's text come out intact in every format, while a DSN that a server echoes back is masked.
 */
const DSN = 'postgres://app:password@127.0.0.1:5432/bazaarhub';
let echo: ReturnType<typeof createServer>;
let echoUrl: string;

beforeAll(async () => {
  // A webhook route that answers every delivery with an error naming its database DSN (servers do echo config).
  echo = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `cannot reach ${DSN}` }));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/api/payment/webhook`;
});
afterAll(async () => {
  echo.closeAllConnections();
  await new Promise((resolve) => echo.close(resolve));
});

function envFile(): string {
  return [
    'NODE_ENV=production',
    `DATABASE_URL=${DSN}`,
    'REDIS_URL=redis://:password@127.0.0.1:1',
    'RAZORPAY_WEBHOOK_SECRET=Qm8xT2vL9pZr4Kw7Ny1Hb6Jc3Fd0Gs5Ue',
    `RAZORPAY_WEBHOOK_URL=${echoUrl}`,
    'RAZORPAY_API_URL=http://127.0.0.1:1',
    'SHIPROCKET_BASE_URL=http://127.0.0.1:1/v1/external',
  ].join('\n');
}

const ENTRY = 'pre-deployment.security.update-all-default-passwords-in-env';

describe('redaction never alters ids or catalog text', () => {
  it('every format keeps env.default-passwords and its entry id, masks the echoed DSN password, and reports the weak password', async () => {
    await withTempDir(async (dir) => {
      const env = join(dir, '.env.production');
      await writeFile(env, envFile());
      for (const format of formatNames()) {
        const file = join(dir, `report.${format}`);
        const result = await runCli(['run', '--env-file', env, '--format', format, '--verbose', '--timeout', '2', '--report', `${format}=${file}`]);
        expect(result.code, `${format}: ${result.stderr}`).toBe(1);
        for (const [where, text] of [['stdout', result.stdout], ['file', await readFile(file, 'utf8')]] as const) {
          const label = `${format} ${where}`;
          expect(text, label).not.toMatch(/[:"=]password[@"&]/);
          expect(text, label).not.toContain('default-***');
          if (format === 'checklist') {
            expect(text, label).toContain('Update all default passwords in .env');
            continue;
          }
          if (format === 'prometheus') {
            // Metrics carry ids and labels, not findings' text.
            expect(text, label).toContain(`id="${ENTRY}",probe="env.default-passwords"`);
            continue;
          }
          expect(text, label).toContain(ENTRY);
          if (format !== 'junit') expect(text, label).toContain('env.default-passwords');
          expect(text, label).toMatch(/postgres:\/\/app:\*\*\*@127\.0\.0\.1:5432\/bazaarhub/);
          expect(text, label).toContain('DATABASE_URL (the password in the URL): a well-known default');
        }
        expect(result.stderr, format).not.toMatch(/:password@/);
      }
    });
  }, 120_000);

  it('a secret split across two writes is masked on the real standard streams', async () => {
    const script = `
      const { redactor, redactStandardStreams, flushRedactedStreams } = await import(${JSON.stringify(join(ROOT, 'dist/src/util/redact.js'))});
      redactor.add('hunter22-Zk29xq81');
      redactor.add('password');
      redactStandardStreams();
      process.stdout.write('DATABASE_URL=postgres://app:hunt');
      process.stdout.write('er22-Zk29xq81@db/x and redis://:pass');
      process.stdout.write('word@cache env.default-pass');
      process.stdout.write('words\\n');
      process.stderr.write('error: auth hunter22-');
      process.stderr.write('Zk29xq81 rejected\\n');
      process.stdout.write('end without newline: pass');
      process.stdout.write('word');
      flushRedactedStreams();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe('DATABASE_URL=postgres://app:***@db/x and redis://:***@cache env.default-passwords\nend without newline: ***');
    expect(stderr).toBe('error: auth *** rejected\n');
  });
});
