import { execFile } from 'node:child_process';
import type { ProbeContext } from '../engine/types.js';

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The program could not start (ENOENT, EACCES). */
  startError?: string;
  ms: number;
}

const MAX_OUTPUT = 64 * 1024;

/**
 * Runs a local program once per argv and run: no shell (argv is passed as is), a minimal environment
 * (PATH, HOME, LANG: none of the deployment's secrets), the probe's timeout, output capped.
 */
export function runCommand(ctx: ProbeContext, argv: readonly string[], options: { cwd?: string; timeoutMs: number }): Promise<CommandResult> {
  return ctx.facts.once(`command ${JSON.stringify(argv)} ${options.cwd ?? ''}`, () => {
    ctx.facts.countContact('command', argv[0] as string);
    const started = performance.now();
    return new Promise<CommandResult>((resolve) => {
      const env: NodeJS.ProcessEnv = {};
      for (const name of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[name] !== undefined) env[name] = process.env[name];
      execFile(
        argv[0] as string,
        argv.slice(1),
        { shell: false, env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, signal: ctx.facts.signal, encoding: 'utf8', windowsHide: true, ...(options.cwd ? { cwd: options.cwd } : {}) },
        (error, stdout, stderr) => {
          const ms = performance.now() - started;
          const failure = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: number | string }) | null;
          if (failure && typeof failure.code === 'string' && failure.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' && failure.code !== 'ABORT_ERR') {
            resolve({ exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, startError: `${failure.code}: cannot run ${argv[0]}`, ms });
            return;
          }
          const timedOut = Boolean(failure?.killed) && ms >= options.timeoutMs - 50;
          resolve({ exitCode: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0, signal: failure?.signal ?? null, stdout: String(stdout), stderr: String(stderr), timedOut, ms });
        },
      );
    });
  });
}
