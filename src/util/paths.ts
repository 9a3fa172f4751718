import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's root: compiled code runs from dist/src/util, tests from src/util. */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, here.split(sep).includes('dist') ? '../../..' : '../..');
}
