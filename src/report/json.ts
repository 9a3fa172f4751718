import type { Reporter } from './model.js';

/** The machine contract: schemaVersion 1, documented in README "JSON output". */
export const renderJson: Reporter = (report) => `${JSON.stringify(report, null, 2)}\n`;
