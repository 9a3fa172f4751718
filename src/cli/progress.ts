import type { CatalogEntry } from '../catalog/schema.js';
import type { RunnerHooks } from '../engine/runner.js';
import type { EntryResult } from '../engine/result.js';
import { makeColors } from '../util/colors.js';
import { formatDuration, groupBy, STATUS_ICON } from '../report/labels.js';

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
      process.stderr.write(`${colors.dim(counter)} ${STATUS_ICON[result.status]} ${result.status.padEnd(7)} ${result.probe} ${result.id} (${formatDuration(result.durationMs)})\n`);
    },
    done: async () => undefined,
  };
}

/**
 * One listr2 line per probe area (env, tls, http, postgres, ...), not per entry: listr2's renderer
 * costs grow with the number of concurrent tasks (112 of them burned 20 s of CPU and starved the
 * probes), while a dozen area lines stay cheap and still show where the run is.
 */
async function listrProgress(probes: readonly CatalogEntry[], color: boolean): Promise<Progress> {
  // listr2's colour library reads NO_COLOR when it loads; --no-color must reach it too.
  if (!color) process.env.NO_COLOR = '1';
  const { Listr } = await import('listr2');
  const areas = groupBy(probes, (entry) => (entry.probe ?? '').split('.')[0] ?? '');
  const state = new Map<string, { total: number; done: EntryResult[]; update?: () => void; finish?: () => void }>();
  for (const [area, entries] of areas) state.set(area, { total: entries.length, done: [] });
  const areaOf = new Map(probes.map((entry) => [entry.id, (entry.probe ?? '').split('.')[0] ?? '']));
  const title = (area: string) => {
    const { total, done } = state.get(area) as { total: number; done: EntryResult[] };
    const counts = groupBy(done, (result) => result.status);
    const tally = [...counts].filter(([status]) => status !== 'pass').map(([status, list]) => `${list.length} ${status}`);
    return `${area.padEnd(11)} ${done.length}/${total}${tally.length ? `  (${tally.join(', ')})` : ''}`;
  };
  const list = new Listr(
    [...areas.keys()].map((area) => ({
      title: title(area),
      task: (_ctx: unknown, task: { title: string }) =>
        new Promise<void>((resolve) => {
          const entry = state.get(area) as { total: number; done: EntryResult[]; update?: () => void; finish?: () => void };
          entry.update = () => {
            task.title = title(area);
            if (entry.done.length >= entry.total) resolve();
          };
          entry.finish = resolve;
          entry.update();
        }),
    })),
    // The live list is cleared when done: the report that follows is the record.
    { concurrent: true, exitOnError: false, rendererOptions: { clearOutput: true } },
  );
  const running = list.run().catch(() => undefined);
  return {
    onResult(result) {
      const area = areaOf.get(result.id);
      const entry = area === undefined ? undefined : state.get(area);
      if (!entry) return;
      entry.done.push(result);
      entry.update?.();
    },
    async done() {
      // Areas with entries never run (Ctrl-C) still need to settle for listr2 to finish.
      for (const entry of state.values()) entry.finish?.();
      await running;
    },
  };
}
