/**
 * The per-run memo of everything gathered from the network. A fact (one HTTP response, one TLS
 * handshake, one database client) is gathered once and shared by every probe that needs it;
 * `close` releases clients at the end of the run. `contacts` counts real contacts per kind and
 * key so the benchmark can prove each target is contacted once.
 */
/** A contact counts as unanswered this long before its own timeout fires, so a probe queued behind the ones that timed out does not start another wait. */
const SILENCE_SLACK_MS = 100;

export class FactStore {
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly pendingSince = new Map<string, { since: number; waitMs: number }>();
  private readonly closers: Array<{ close: () => Promise<void> | void; endpoint?: string }> = [];
  readonly contacts = new Map<string, number>();
  /** The contacts still waiting for an answer, per endpoint: start time → how long that contact may wait. */
  private readonly inFlight = new Map<string, Map<number, number>>();
  /** Endpoints where a contact failed only after waiting the whole timeout. */
  private readonly unanswered = new Set<string>();
  /** Endpoints that answered at least one contact in this run. */
  private readonly answered = new Set<string>();

  constructor(readonly signal: AbortSignal, readonly timeoutMs: number) {}

  /**
   * The memoized fact `key`, gathered on first use. A fact still pending after the whole timeout is
   * not waited on again: a probe that asks for it then fails at once, as the probe that asked first
   * already did (otherwise a hung service costs one more timeout per queued probe).
   */
  once<T>(key: string, gather: () => Promise<T>, waitMs = this.timeoutMs): Promise<T> {
    let promise = this.memo.get(key) as Promise<T> | undefined;
    if (promise) {
      const pending = this.pendingSince.get(key);
      if (pending !== undefined && performance.now() - pending.since >= pending.waitMs - SILENCE_SLACK_MS) return Promise.reject(new Error(`no answer within ${pending.waitMs} ms (an earlier probe is still waiting for it)`));
      return promise;
    }
    promise = gather();
    this.pendingSince.set(key, { since: performance.now(), waitMs });
    const settle = () => this.pendingSince.delete(key);
    // A rejected fact stays rejected for the run: every probe sharing it reports the same error.
    promise.then(settle, settle);
    this.memo.set(key, promise);
    return promise;
  }

  countContact(kind: string, key: string): void {
    const name = `${kind} ${key}`;
    this.contacts.set(name, (this.contacts.get(name) ?? 0) + 1);
  }

  /**
   * Runs one contact with `endpoint` (host:port). Once a contact to an endpoint has gone unanswered
   * for the whole timeout, later contacts to it in this run fail at once instead of each waiting out
   * another timeout: a hung service costs one timeout per run, not one per probe that reaches it
   * after the first ones (the probes that asked first have already reported the timeout).
   */
  guard<T>(endpoint: string, call: () => Promise<T>, waitMs = this.timeoutMs): Promise<T> {
    if (this.isSilent(endpoint)) return Promise.reject(new Error(`no answer within ${this.timeoutMs} ms (an earlier request to ${endpoint} in this run got none)`));
    const pending = this.inFlight.get(endpoint) ?? new Map<number, number>();
    let started = performance.now();
    while (pending.has(started)) started += 1e-6;
    // A contact allowed to wait longer than the run's timeout (a slow health route) only counts as
    // unanswered once its own wait is over.
    pending.set(started, waitMs);
    this.inFlight.set(endpoint, pending);
    const promise = call();
    promise.then(
      () => {
        pending.delete(started);
        this.answered.add(endpoint);
      },
      () => {
        pending.delete(started);
        // Failed only after waiting the whole timeout: the endpoint does not answer.
        if (performance.now() - started >= Math.max(waitMs, this.timeoutMs) - SILENCE_SLACK_MS) this.unanswered.add(endpoint);
      },
    );
    return promise;
  }

  /** `endpoint`: the guarded endpoint the closer still finishes work on (see close). */
  onClose(close: () => Promise<void> | void, endpoint?: string): void {
    this.closers.push({ close, ...(endpoint !== undefined ? { endpoint } : {}) });
  }

  /** Whether a contact to `endpoint` has waited (or is waiting) for an answer for the whole timeout. */
  isSilent(endpoint: string): boolean {
    if (this.unanswered.has(endpoint)) return true;
    const now = performance.now();
    return [...(this.inFlight.get(endpoint) ?? new Map<number, number>())].some(([started, waitMs]) => now - started >= Math.max(waitMs, this.timeoutMs) - SILENCE_SLACK_MS);
  }

  /**
   * Releases every client. A closer registered with the endpoint it finishes work on (an S3
   * roundtrip's delete) gets up to the probe timeout when that endpoint has answered in this run;
   * every other closer, and one whose endpoint never answered, gets `shortGraceMs`
   * and then carries on in the background: a server that never answers must not hold the verdict back.
   */
  async close(shortGraceMs = 200): Promise<void> {
    const closers = this.closers.splice(0);
    const timers: NodeJS.Timeout[] = [];
    const bounded = (promise: Promise<unknown>, ms: number) =>
      Promise.race([
        promise.catch(() => undefined),
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          timer.unref();
          timers.push(timer);
        }),
      ]);
    await Promise.all(
      closers.map(({ close, endpoint }) => {
        const graceMs = endpoint !== undefined && this.answered.has(endpoint) ? this.timeoutMs : Math.min(shortGraceMs, this.timeoutMs);
        return bounded(Promise.resolve().then(close), graceMs);
      }),
    );
    for (const timer of timers) clearTimeout(timer);
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
