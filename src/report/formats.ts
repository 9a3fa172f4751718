import type { Reporter } from './model.js';

/** Output formats by name; each reporter module loads only when its format is asked for. */
export const FORMATS: Record<string, () => Promise<Reporter>> = {
  terminal: async () => (await import('./terminal.js')).renderTerminal,
  json: async () => (await import('./json.js')).renderJson,
  markdown: async () => (await import('./markdown.js')).renderMarkdown,
  junit: async () => (await import('./junit.js')).junitReporter,
  sarif: async () => (await import('./sarif.js')).sarifReporter,
  html: async () => (await import('./html.js')).htmlReporter,
  checklist: async () => (await import('./checklist.js')).checklistReporter,
  codequality: async () => (await import('./codequality.js')).codequalityReporter,
  prometheus: async () => (await import('./prometheus.js')).prometheusReporter,
};

export function formatNames(): string[] {
  return Object.keys(FORMATS);
}
