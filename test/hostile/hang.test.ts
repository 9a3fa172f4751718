import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

interface HangingRun {
  wallMs: number;
  code: number | null;
  stderr: string;
  report?: { durationMs: number; generatedAt: string; results: Array<{ probe?: string; status: string; observed: string }> };
}

/**
 * Every service accepts TCP and never answers (bench/hang.mjs, shared with `npm run bench`): the real
 * binary ends within the per-probe timeout plus 1 s, every network probe is an error but
 * http.health, whose health route not answering is a fail naming the URL (issue 11 item 4): exit 1.
 */
describe('a deployment that never answers', () => {
  it('ends within the timeout + 1 s: every network probe an error but the health route, which fails (exit 1)', async () => {
    const { hangingRun } = (await import('../../bench/hang.mjs' as string)) as { hangingRun(bin: string, options: { timeoutSeconds: number }): Promise<HangingRun> };
    const { wallMs, code, report, stderr } = await hangingRun(BIN, { timeoutSeconds: 2 });
    const exitedAt = Date.now();
    expect(code, stderr).toBe(1);
    // The run itself, and the time from the verdict to the process's exit (closing clients), each
    // bounded; the process's start-up is not, since a loaded CI box can stretch it (`npm run bench`
    // measures the whole wall time on a quiet machine).
    expect(report?.durationMs).toBeLessThan(3000);
    expect(exitedAt - Date.parse(report?.generatedAt ?? '')).toBeLessThan(1000);
    expect(wallMs).toBeLessThan(10_000);
    const network = (report?.results ?? []).filter((r) => r.status !== 'skipped' && !/^(env|npm|git|dns|backup)\./.test(r.probe ?? ''));
    expect(network.length).toBeGreaterThan(40);
    expect(network.filter((r) => r.status !== 'error' && r.probe !== 'http.health').map((r) => `${r.probe}: ${r.status} ${r.observed}`)).toEqual([]);
    const health = network.filter((r) => r.probe === 'http.health');
    expect(health.length).toBeGreaterThan(0);
    for (const result of health) expect(result).toMatchObject({ status: 'fail', observed: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/health did not answer: no answer within/) });
    expect(stderr.split('\n').filter((line) => line && !line.startsWith('['))).toEqual([]);
  }, 30_000);
});
