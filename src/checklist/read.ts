import { readFile } from 'node:fs/promises';
import { InputError, at, errorMessage } from '../util/errors.js';
import { assertParsable, MAX_CHECKLIST_BYTES } from './limits.js';
import { parseChecklist } from './parse.js';
import type { Checklist } from './types.js';

export async function readChecklist(file: string): Promise<Checklist> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    throw new InputError(at(file, undefined, `cannot read checklist: ${errorMessage(error)}`));
  }
  if (buffer.length > MAX_CHECKLIST_BYTES) throw new InputError(at(file, undefined, `checklist is ${buffer.length} bytes, over the ${MAX_CHECKLIST_BYTES}-byte limit`));
  if (buffer.includes(0)) throw new InputError(at(file, undefined, 'not a markdown checklist (binary content)'));
  const text = buffer.toString('utf8');
  assertParsable(text, file);
  const checklist = parseChecklist(text, file);
  if (checklist.items.length === 0) throw new InputError(at(file, undefined, 'no checklist items found (expected "- [ ] ..." tasks)'));
  return checklist;
}
