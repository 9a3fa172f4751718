/**
 * Last-resort cleanup for the servers and scratch directories that the demo (and tests) start: each
 * resource registers a synchronous task that stops it, and the task runs however the process ends:
 * a normal exit or process.exit (e.g. stdout closed by `| head`, or a Ctrl-C outside a run), SIGTERM, SIGHUP, or
 * an uncaught error. A resource closed the ordinary way unregisters its task.
 */
type Task = () => void;

const tasks = new Map<number, Task>();
let nextId = 0;
let installed = false;
export function onExitCleanup(task: Task): () => void {
  install();
  const id = nextId++;
  tasks.set(id, task);
  return () => {
    tasks.delete(id);
  };
}

/** Runs every pending task once, newest first (a replica before its primary); never throws. */
export function runExitCleanup(): void {
  for (const [id, task] of [...tasks].reverse()) {
    tasks.delete(id);
    try {
      task();
    } catch {
      // best effort: the next resource still gets its turn
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runExitCleanup);
  // Runs before Node's own uncaught-error handling, which it leaves as it is (message, exit code 1).
  process.on('uncaughtExceptionMonitor', runExitCleanup);
  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      runExitCleanup();
      process.exit(code);
    });
  }
  // Ctrl-C: the CLI's one SIGINT handler (util/interrupt.ts) routes it to a running run, else exits, so 'exit' covers it.
}
