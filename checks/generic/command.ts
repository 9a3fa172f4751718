import { basename } from 'node:path';
import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { runCommand } from '../../src/facts/command.js';
import { regexString, short } from './expect.js';

export const ALLOW_COMMANDS_VARIABLE = 'BAZAARHUB_ALLOW_COMMANDS';

/** Whether `program` may run: the list comes from `--allow-commands` or the environment, never from the catalog. */
export function commandAllowed(program: string, allowed: readonly string[] | undefined): boolean {
  if (!allowed?.length) return false;
  return allowed.includes('*') || allowed.includes(program) || allowed.includes(basename(program));
}

export default defineProbe({
  id: 'command',
  sends: { to: 'nothing', what: 'runs the local program named in argv (no shell), only when --allow-commands or BAZAARHUB_ALLOW_COMMANDS names it; the child gets no deployment secrets', effect: 'whatever that program does: review it before allowing it' },
  title: 'A local command exits and prints as expected',
  description: `Runs one local program (argv, no shell, a minimal environment without the deployment's secrets) with a timeout and judges its exit code and output. Disabled unless the person or CI job running the check allows the program: \`--allow-commands NAME[,NAME]\` or ${ALLOW_COMMANDS_VARIABLE}=NAME[,NAME] (\`*\` for any). The catalog alone can never enable it.`,
  params: z.object({
    argv: z.array(z.string().min(1)).min(1),
    cwd: z.string().optional(),
    timeoutMs: z.number().int().positive().default(10_000),
    expect: z
      .object({
        exitCode: z.number().int().default(0),
        stdoutContains: z.string().optional(),
        stdoutMatches: regexString.optional(),
        stderrMatches: regexString.optional(),
      })
      .default({}),
  }),
  remediation: 'Fix what the command checks (or the expectation in the catalog).',
  async run(ctx, p): Promise<Finding> {
    const program = p.argv[0] as string;
    const shown = p.argv.map((arg) => (/^[\w./:=@+-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
    const expected = [`\`${shown}\` exits ${p.expect.exitCode}`, p.expect.stdoutContains !== undefined ? `stdout contains "${p.expect.stdoutContains}"` : '', p.expect.stdoutMatches ? `stdout ~ /${p.expect.stdoutMatches}/` : '', p.expect.stderrMatches ? `stderr ~ /${p.expect.stderrMatches}/` : ''].filter(Boolean).join(', ');
    if (!commandAllowed(program, ctx.options.allowCommands)) {
      return { status: 'skipped', observed: `not run: command checks are off for ${program} (a catalog cannot turn them on)`, expected, remediation: `After reviewing the catalog's commands, allow them where the check runs: --allow-commands ${basename(program)} or ${ALLOW_COMMANDS_VARIABLE}=${basename(program)}.` };
    }
    const result = await runCommand(ctx, p.argv, { timeoutMs: Math.min(p.timeoutMs, ctx.options.timeoutMs), ...(p.cwd ? { cwd: p.cwd } : {}) });
    if (result.startError) return { status: 'error', observed: result.startError, expected };
    if (result.timedOut) return { status: 'error', observed: `\`${shown}\` did not finish within ${Math.min(p.timeoutMs, ctx.options.timeoutMs)} ms (killed)`, expected };
    const problems: string[] = [];
    if (result.exitCode !== p.expect.exitCode) problems.push(result.exitCode === null ? `killed by ${result.signal}` : `exit ${result.exitCode}`);
    if (p.expect.stdoutContains !== undefined && !result.stdout.includes(p.expect.stdoutContains)) problems.push(`stdout does not contain "${p.expect.stdoutContains}"`);
    if (p.expect.stdoutMatches && !new RegExp(p.expect.stdoutMatches).test(result.stdout)) problems.push(`stdout does not match /${p.expect.stdoutMatches}/`);
    if (p.expect.stderrMatches && !new RegExp(p.expect.stderrMatches).test(result.stderr)) problems.push(`stderr does not match /${p.expect.stderrMatches}/`);
    const output = short(result.stdout || result.stderr, 100);
    const observed = `\`${shown}\` exited ${result.exitCode ?? `by ${result.signal}`} in ${Math.round(result.ms)} ms${output ? `: "${output}"` : ''}`;
    return problems.length ? { status: 'fail', observed: `${observed} (${problems.join('; ')})`, expected } : { status: 'pass', observed, expected };
  },
});
