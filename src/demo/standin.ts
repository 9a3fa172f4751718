/**
 * A piece of the local stand-in BazaarHub deployment that `bazaarhub-check demo` starts in-process
 * (and tests reuse). Each stand-in listens on 127.0.0.1 only and contributes env variables that
 * point the catalog's probes at it.
 */
export interface StandInContext {
  /** Scratch directory removed when the demo ends. */
  dir: string;
  /** PEM of the demo's local certificate authority; probes trust it through RunOptions.ca. */
  caPem: string;
  /** Issues a leaf certificate for 127.0.0.1/localhost signed by the demo CA. */
  issueCertificate(options?: { daysValid?: number; hosts?: string[] }): Promise<{ key: string; cert: string }>;
}

export interface RunningStandIn {
  name: string;
  env: Record<string, string>;
  /** One line for the report, e.g. which checks were skipped because a binary was absent. */
  note?: string;
  /**
   * What the stand-in would have done for the requests it served (payments processed, mails sent,
   * objects written, ...), so the read-only proof can compare it before and after a full run.
   */
  activity?(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface StandIn {
  name: string;
  start(context: StandInContext): Promise<RunningStandIn>;
}
