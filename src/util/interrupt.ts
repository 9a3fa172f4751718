import { ExitCode } from './errors.js';

/** Signals this close together are one Ctrl-C: the terminal's, and the copy npx forwards to its child (npm/cli#8164). */
const REPEAT_WINDOW_MS = 1000;

let current: (() => void) | undefined;
let lastAt = Number.NEGATIVE_INFINITY;

/**
 * One SIGINT handler for the whole process, installed at start-up: Ctrl-C at any moment ends with exit 3
 * (incomplete), never death by signal (130), and a repeat within a second counts once. While a run is in
 * progress, `whileRunning` decides (finish with a partial report).
 */
export function installInterruptHandler(): void {
  process.on('SIGINT', () => {
    const now = performance.now();
    if (now - lastAt < REPEAT_WINDOW_MS) return;
    lastAt = now;
    if (current) current();
    else process.exit(ExitCode.Incomplete);
  });
}

/** Routes Ctrl-C to `handler` until the returned function is called. */
export function whileRunning(handler: () => void): () => void {
  current = handler;
  return () => {
    if (current === handler) current = undefined;
  };
}
