import { z } from 'zod';
import type { Target } from '../../src/target/target.js';

/** Shared pieces of the generic probes, whose behaviour is set entirely by catalog params. */

/** A text expectation: any of present/equals/contains/matches (a JavaScript regular expression). */
export const textExpectation = z.object({
  present: z.boolean().optional(),
  equals: z.string().optional(),
  contains: z.string().optional(),
  matches: z.string().optional(),
});
export type TextExpectation = z.output<typeof textExpectation>;

/** Why `value` does not meet `expectation`, or undefined when it does. */
export function textProblem(value: string | undefined, expectation: TextExpectation): string | undefined {
  if (expectation.present === false) return value === undefined ? undefined : 'present';
  if (value === undefined) return expectation.present || expectation.equals !== undefined || expectation.contains !== undefined || expectation.matches !== undefined ? 'absent' : undefined;
  if (expectation.equals !== undefined && value !== expectation.equals) return `"${short(value)}", not "${expectation.equals}"`;
  if (expectation.contains !== undefined && !value.includes(expectation.contains)) return `"${short(value)}" does not contain "${expectation.contains}"`;
  if (expectation.matches !== undefined && !safeRegExp(expectation.matches).test(value)) return `"${short(value)}" does not match /${expectation.matches}/`;
  return undefined;
}

export function describeText(expectation: TextExpectation): string {
  if (expectation.present === false) return 'absent';
  const parts = [expectation.equals !== undefined ? `= "${expectation.equals}"` : '', expectation.contains !== undefined ? `containing "${expectation.contains}"` : '', expectation.matches !== undefined ? `matching /${expectation.matches}/` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'present';
}

export function safeRegExp(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    // The catalog loader already refused invalid patterns (see regexString); never throw here.
    return /$^/;
  }
}

/** A string param that must be a valid regular expression, so a typo is a load-time error with its line. */
export const regexString = z.string().refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

export function short(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * `${NAME}` in a param is the value of a deployment variable; `${NAME.host}` the host of its URL;
 * `${NAME.domain}` the domain of an e-mail address or the host of a URL. Returns the missing
 * variable's name instead when one is not set.
 */
export function expand(text: string, target: Target): { value: string } | { missing: string } {
  let missing: string | undefined;
  const value = text.replace(/\$\{([A-Z][A-Z0-9_]*)(?:\.(host|domain))?\}/g, (_match, name: string, part: string | undefined) => {
    const raw = target.get(name);
    if (raw === undefined) {
      missing ??= name;
      return '';
    }
    if (!part) return raw;
    if (part === 'domain' && raw.includes('@') && !raw.includes('://')) return raw.slice(raw.lastIndexOf('@') + 1);
    try {
      return new URL(raw).hostname;
    } catch {
      missing ??= `${name} (not a URL)`;
      return '';
    }
  });
  return missing ? { missing } : { value };
}

/** RFC 6901 JSON Pointer: `/data/0/status`; undefined when a step is missing. */
export function jsonPointer(document: unknown, pointer: string): { found: boolean; value?: unknown } {
  if (pointer === '') return { found: true, value: document };
  let node: unknown = document;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(step) && Number(step) < node.length) node = node[Number(step)];
    else if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, step)) node = (node as Record<string, unknown>)[step];
    else return { found: false };
  }
  return { found: true, value: node };
}

/** A number or range expectation. */
export const numberExpectation = z.object({ equals: z.number().optional(), min: z.number().optional(), max: z.number().optional() });
export type NumberExpectation = z.output<typeof numberExpectation>;

export function numberProblem(value: number, expectation: NumberExpectation): string | undefined {
  if (expectation.equals !== undefined && value !== expectation.equals) return `${value}, not ${expectation.equals}`;
  if (expectation.min !== undefined && value < expectation.min) return `${value}, under ${expectation.min}`;
  if (expectation.max !== undefined && value > expectation.max) return `${value}, over ${expectation.max}`;
  return undefined;
}

export function describeNumber(expectation: NumberExpectation): string {
  return [expectation.equals !== undefined ? `= ${expectation.equals}` : '', expectation.min !== undefined ? `>= ${expectation.min}` : '', expectation.max !== undefined ? `<= ${expectation.max}` : ''].filter(Boolean).join(' and ') || 'any number';
}
