/**
 * Validates a catalog off the main thread, for `catalog check`: the main thread parses the checklist
 * and computes drift meanwhile (at 100,000 entries each side takes a few hundred ms, on two cores).
 * Posts `{ ok: true }` or the error, which loadInBackground rethrows unchanged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadRegistry } from '../engine/registry.js';
import { InputError, errorMessage } from '../util/errors.js';
import { loadCatalog } from './load.js';

const { file } = workerData as { file: string };
try {
  await loadCatalog(file, await loadRegistry());
  parentPort?.postMessage({ ok: true });
} catch (error) {
  parentPort?.postMessage({ ok: false, input: error instanceof InputError, message: error instanceof InputError ? error.message : errorMessage(error) });
}
