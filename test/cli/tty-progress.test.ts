import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, LOOPBACK_GUARD, ROOT } from '../helpers/cli.js';

/** Runs the binary under a pseudo-terminal (util-linux `script`), as an engineer at a terminal would. */
function onTerminal(args: string): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', `stty cols 120 rows 40; ${process.execPath} -- ${BIN} ${args}`, '/dev/null'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', TERM: 'xterm', HOME: process.env.HOME ?? '/root', NODE_OPTIONS: LOOPBACK_GUARD } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe('progress on a terminal', () => {
  it('shows live per-area progress with listr2 and stays cheap for a large run', async () => {
    const { code, output, ms } = await onTerminal('demo --only http. --only tls. --only waf.');
    expect(code).toBe(0);
    // listr2 lines per probe area, e.g. "http        7/16  (2 fail)"
    expect(output).toMatch(/http\s+\d+\/\d+/);
    expect(output).toMatch(/tls\s+\d+\/\d+/);
    expect(output).toContain('Demo finished');
    expect(ms).toBeLessThan(30_000);
  });

  it('colours on a terminal, none under NO_COLOR or --no-color', async () => {
    const colored = await onTerminal('run --env-file test/fixtures/good.env --only env.flags');
    expect(colored.output).toContain('\u001b[32m');
    const plain = await onTerminal('run --env-file test/fixtures/good.env --only env.flags --no-color');
    expect(plain.output).not.toMatch(/\u001b\[3\dm/);
  });
});
