import { readFile } from 'node:fs/promises';
import { InputError, at, errorMessage } from '../util/errors.js';
import { parseChecklist } from './parse.js';
import type { Checklist } from './types.js';

export async function readChecklist(file: string): Promise<Checklist> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    throw new InputError(at(file, undefined, `cannot read checklist: ${errorMessage(error)}`));
  }
  if (buffer.includes(0)) throw new InputError(at(file, undefined, 'not a markdown checklist (binary content)'));
  const checklist = parseChecklist(buffer.toString('utf8'), file);
  if (checklist.items.length === 0) throw new InputError(at(file, undefined, 'no checklist items found (expected "- [ ] ..." tasks)'));
  return checklist;
}
