/**
 * Orders strings by UTF-16 code unit: the same on every machine and locale, and free, where
 * `localeCompare` loads ICU's collator on first use (about 5 ms of a run's start-up, measured).
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
