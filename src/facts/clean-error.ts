import { errorMessage } from '../util/errors.js';

/**
 * A driver's error message with the connection's password masked. Drivers should never echo it,
 * but a report must not rely on that.
 */
export function cleanError(error: unknown, credentials: { password?: string }): string {
  const message = errorMessage(error);
  return credentials.password ? message.split(credentials.password).join('***') : message;
}

const TIMEOUT = /no (?:response|answer|handshake) within|timed out|timeout expired|connection timeout|ETIMEDOUT|TimeoutError/i;

/**
 * Whether a contact failed because the other side never answered in time. A probe that got no
 * answer could not look: that is an `error` (an incomplete run, exit 3), while a refusal, a wrong
 * password or a bad answer is the probe's own judgement.
 */
export function isTimeout(error: unknown): boolean {
  if (error instanceof Error && (error.name === 'TimeoutError' || (error as NodeJS.ErrnoException).code === 'ETIMEDOUT')) return true;
  return TIMEOUT.test(errorMessage(error));
}
