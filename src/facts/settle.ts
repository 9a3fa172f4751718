/**
 * The one end of a socket exchange, whatever comes first: its own outcome, `timeoutMs`, or the run's
 * `signal`. Returns `finish`: the first call wins, clears the timer, stops listening to the signal,
 * runs `cleanup` (destroy the sockets) and resolves; later calls do nothing. An already aborted
 * signal finishes at once.
 */
export function settleOnce<T>(
  resolve: (value: T) => void,
  ends: { signal: AbortSignal; timeoutMs: number; timedOut: () => T; aborted: () => T; cleanup: () => void },
): (result: T) => void {
  let settled = false;
  const finish = (result: T) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    ends.signal.removeEventListener('abort', onAbort);
    ends.cleanup();
    resolve(result);
  };
  const onAbort = () => finish(ends.aborted());
  const timer = setTimeout(() => finish(ends.timedOut()), ends.timeoutMs);
  if (ends.signal.aborted) onAbort();
  else ends.signal.addEventListener('abort', onAbort, { once: true });
  return finish;
}
