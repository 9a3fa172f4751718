/**
 * The per-run memo of everything gathered from the network. A fact (one HTTP response, one TLS
 * handshake, one database client) is gathered once and shared by every probe that needs it;
 * `close` releases clients at the end of the run. `contacts` counts real contacts per kind and
 * key so the benchmark can prove each target is contacted once.
 */
export class FactStore {
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly closers: Array<() => Promise<void> | void> = [];
  readonly contacts = new Map<string, number>();

  constructor(readonly signal: AbortSignal, readonly timeoutMs: number) {}

  once<T>(key: string, gather: () => Promise<T>): Promise<T> {
    let promise = this.memo.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = gather();
      // A rejected fact stays rejected for the run: every probe sharing it reports the same error.
      promise.catch(() => undefined);
      this.memo.set(key, promise);
    }
    return promise;
  }

  countContact(kind: string, key: string): void {
    const name = `${kind} ${key}`;
    this.contacts.set(name, (this.contacts.get(name) ?? 0) + 1);
  }

  onClose(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    const closers = this.closers.splice(0);
    await Promise.allSettled(closers.map(async (close) => close()));
  }
}

/** A promise that rejects when `signal` aborts, for racing gatherers that do not take a signal. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
