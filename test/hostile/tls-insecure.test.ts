import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNames } from '../../src/report/formats.js';
import { issueCertificate } from '../../src/standins/certs.js';
import { runCli, withTempDir } from '../helpers/cli.js';

/** TLS verification is on unless --insecure, and then every format says so at its top. */
let server: ReturnType<typeof createServer>;
let url: string;

beforeAll(async () => {
  const selfSigned = await issueCertificate(undefined, { hosts: ['127.0.0.1'] });
  server = createServer({ key: selfSigned.key, cert: selfSigned.cert }, (_req, res) => res.end('ok'));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function reports(dir: string, extra: string[], env: Record<string, string> = {}) {
  const files = formatNames().map((format) => [format, join(dir, `r.${format}`)] as const);
  const result = await runCli(['run', '--set', `APP_URL=${url}`, '--only', 'tls.certificate', '--quiet', '--format', 'json', ...extra, ...files.flatMap(([format, file]) => ['--report', `${format}=${file}`])], { env });
  const texts = new Map(await Promise.all(files.map(async ([format, file]) => [format, await readFile(file, 'utf8')] as const)));
  return { result, texts, report: JSON.parse(result.stdout) as { options: { insecure: boolean }; results: Array<{ status: string; observed: string }> } };
}

describe('TLS verification', () => {
  it('stays on without --insecure, even with NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', async () => {
    await withTempDir(async (dir) => {
      const { report, texts } = await reports(dir, [], { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
      expect(report.options.insecure).toBe(false);
      expect(report.results[0]?.status).toMatch(/fail|error/);
      expect(report.results[0]?.observed).toMatch(/self[- ]signed|not trusted|unable to verify/i);
      for (const [format, text] of texts) expect(text, format).not.toMatch(/TLS verification was (turned )?off/i);
    });
  });

  it('with --insecure, every format says so at its top', async () => {
    await withTempDir(async (dir) => {
      const { report, texts } = await reports(dir, ['--insecure']);
      expect(report.options.insecure).toBe(true);
      expect([...texts.keys()].sort()).toEqual(formatNames().sort());
      for (const [format, text] of texts) {
        if (format === 'json' || format === 'sarif') {
          const parsed = JSON.parse(text);
          if (format === 'json') expect(Object.keys(parsed).indexOf('options')).toBeLessThan(Object.keys(parsed).indexOf('results'));
          if (format === 'json') expect(parsed.options.insecure).toBe(true);
          else expect(parsed.runs[0].invocations[0].toolExecutionNotifications[0]).toEqual({ level: 'warning', message: { text: expect.stringMatching(/TLS verification was turned off/) } });
          continue;
        }
        const top = text.split('\n').slice(0, 20).join('\n');
        expect(top, format).toMatch(/TLS verification was (turned )?off/i);
      }
    });
  });
});
