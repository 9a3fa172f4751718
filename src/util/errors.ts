/** Exit codes are a public contract: see README "Exit codes". */
export const ExitCode = {
  Ready: 0,
  NotReady: 1,
  InputError: 2,
  Incomplete: 3,
} as const;

/**
 * Bad input from the user (a flag, file, checklist, catalog or env file). The message is one line
 * that names the file and line or the flag; the CLI prints it and exits 2 without a stack trace.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** `file:line: message`, or `file: message` when the line is unknown. */
export function at(file: string, line: number | undefined, message: string): string {
  return line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const text = error.message || error.name;
    return code && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(error);
}
