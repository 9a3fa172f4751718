import type { CatalogEntry } from '../catalog/schema.js';
import type { RunnerHooks } from '../engine/runner.js';
import type { EntryResult } from '../engine/result.js';
import { makeColors } from '../util/colors.js';
import { redactor } from '../util/redact.js';
import { formatDuration, STATUS_ICON } from '../report/labels.js';

export interface Progress extends RunnerHooks {
  done(): Promise<void>;
}

/** listr2 on a TTY (one line per probe, updated live), plain lines otherwise; always on stderr. */
export async function createProgress(entries: readonly CatalogEntry[], options: { tty: boolean; color: boolean; quiet: boolean }): Promise<Progress> {
  const probes = entries.filter((entry) => entry.probe);
  if (options.quiet || probes.length === 0) return { done: async () => undefined };
  return options.tty ? listrProgress(probes, options.color) : plainProgress(probes.length, options.color);
}

function plainProgress(total: number, color: boolean): Progress {
  const colors = makeColors(color);
  let finished = 0;
  const width = String(total).length;
  return {
    onResult(result) {
      if (!result.probe) return;
      finished++;
      const counter = `[${String(finished).padStart(width)}/${total}]`;
      process.stderr.write(redactor.redact(`${colors.dim(counter)} ${STATUS_ICON[result.status]} ${result.status.padEnd(7)} ${result.probe} ${result.id} (${formatDuration(result.durationMs)})\n`));
    },
    done: async () => undefined,
  };
}

async function listrProgress(probes: readonly CatalogEntry[], color: boolean): Promise<Progress> {
  // listr2's colour library reads NO_COLOR when it loads; --no-color must reach it too.
  if (!color) process.env.NO_COLOR = '1';
  const { Listr } = await import('listr2');
  const waiting = new Map<string, (result: EntryResult) => void>();
  const results = new Map<string, Promise<EntryResult>>();
  for (const entry of probes) results.set(entry.id, new Promise((resolve) => waiting.set(entry.id, resolve)));
  const list = new Listr(
    probes.map((entry) => ({
      title: `${entry.probe} ${entry.id}`,
      task: async (_ctx: unknown, task: { title: string }) => {
        const result = await (results.get(entry.id) as Promise<EntryResult>);
        task.title = redactor.redact(`${STATUS_ICON[result.status]} ${result.status} ${entry.probe} ${entry.id} (${formatDuration(result.durationMs)})`);
      },
    })),
    // The live list is cleared when done: the report that follows is the record.
    { concurrent: true, exitOnError: false, rendererOptions: { clearOutput: true } },
  );
  const running = list.run().catch(() => undefined);
  return {
    onResult(result) {
      waiting.get(result.id)?.(result);
    },
    async done() {
      // Entries never run (Ctrl-C) still need their promise settled for listr2 to finish.
      for (const [id, resolve] of waiting) resolve({ id, status: 'skipped', durationMs: 0 } as EntryResult);
      await running;
    },
  };
}
