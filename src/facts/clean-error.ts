import { errorMessage } from '../util/errors.js';

/**
 * A driver's error message with the connection's password masked. Drivers should never echo it,
 * but a report must not rely on that.
 */
export function cleanError(error: unknown, credentials: { password?: string }): string {
  const message = errorMessage(error);
  return credentials.password ? message.split(credentials.password).join('***') : message;
}
