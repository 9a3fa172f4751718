import { errorMessage } from '../util/errors.js';
import { isTimeout } from './clean-error.js';

/**
 * The per-run memo of everything gathered from the network. A fact (one HTTP response, one TLS
 * handshake, one database client) is gathered once and shared by every probe that needs it;
 * `close` releases clients at the end of the run. `contacts` counts real contacts per kind and
 * key so the benchmark can prove each target is contacted once.
 */
/** A contact counts as unanswered this long before its own timeout fires, so a probe queued behind the ones that timed out does not start another wait. */
const SILENCE_SLACK_MS = 100;

export interface OnceOptions {
  /** A reachability fact: retried after a network error or timeout (see withRetries). */
  retry?: boolean;
  /** How long askers wait for it (default the run's per-probe timeout). */
  waitMs?: number;
}

const TRANSIENT = /ECONNRESET|ECONNREFUSED|EPIPE|ECONNABORTED|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|socket hang up|connection closed|other side closed|Connection terminated/i;

/** A network error or timeout: the contact may well succeed when tried again. */
export function isTransient(error: unknown): boolean {
  return TRANSIENT.test(errorMessage(error)) || isTimeout(error);
}

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

  /** Facts gathered with `retry` that needed more than one attempt. */
  private readonly retried = new Map<string, { attempts: number; recovered: boolean }>();

  /** `attempts`: how often a reachability fact is tried when its contact fails with a network error or timeout. */
  constructor(readonly signal: AbortSignal, readonly timeoutMs: number, readonly attempts = 2) {}

  /**
   * A view for one probe: the same facts, and a record of the keys it asked for, so the runner can say
   * whether its result needed a retry.
   */
  scope(): { facts: FactStore; retries(): { attempts: number; recovered: boolean } | undefined } {
    const keys = new Set<string>();
    const view = Object.create(this) as FactStore;
    view.once = <T>(key: string, gather: () => Promise<T>, options?: OnceOptions): Promise<T> => {
      keys.add(key);
      return this.once(key, gather, options);
    };
    return {
      facts: view,
      retries: () => {
        let worst: { attempts: number; recovered: boolean } | undefined;
        for (const key of keys) {
          const info = this.retried.get(key);
          if (info && (!worst || info.attempts > worst.attempts || (info.recovered && !worst.recovered))) worst = { attempts: Math.max(info.attempts, worst?.attempts ?? 0), recovered: info.recovered || Boolean(worst?.recovered) };
        }
        return worst;
      },
    };
  }

  /**
   * The memoized fact `key`, gathered on first use. A fact still pending after the whole timeout is
   * not waited on again: a probe that asks for it then fails at once, as the probe that asked first
   * already did (otherwise a hung service costs one more timeout per queued probe).
   */
  once<T>(key: string, gather: () => Promise<T>, options: OnceOptions = {}): Promise<T> {
    const waitMs = options.waitMs ?? this.timeoutMs;
    let promise = this.memo.get(key) as Promise<T> | undefined;
    if (promise) {
      const pending = this.pendingSince.get(key);
      if (pending !== undefined && performance.now() - pending.since >= pending.waitMs - SILENCE_SLACK_MS) return Promise.reject(new Error(`no answer within ${pending.waitMs} ms (an earlier probe is still waiting for it)`));
      return promise;
    }
    promise = options.retry && this.attempts > 1 ? this.withRetries(key, gather, waitMs) : gather();
    this.pendingSince.set(key, { since: performance.now(), waitMs });
    const settle = () => this.pendingSince.delete(key);
    // A rejected fact stays rejected for the run: every probe sharing it reports the same error.
    promise.then(settle, settle);
    this.memo.set(key, promise);
    return promise;
  }

  /**
   * Gathers a reachability fact again after a network error or timeout, while the budget lasts (a
   * contact that waited out the whole timeout leaves none). Only for contacts that are safe to repeat:
   * a probe's deliberate traffic (bursts, deliveries, latency samples) never comes through here.
   */
  private async withRetries<T>(key: string, gather: () => Promise<T>, budgetMs: number): Promise<T> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const value = await gather();
        if (attempt > 1) this.retried.set(key, { attempts: attempt, recovered: true });
        return value;
      } catch (error) {
        const left = budgetMs - (performance.now() - started);
        // Retry only with at least half the budget left, so the retry ends well before askers stop waiting.
        if (attempt >= this.attempts || this.signal.aborted || !isTransient(error) || left < budgetMs / 2) {
          if (attempt > 1) this.retried.set(key, { attempts: attempt, recovered: false });
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, left / 4)).unref());
      }
    }
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
