import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../standins/certs.js';
import { onExitCleanup } from '../standins/exit-cleanup.js';
import { errorMessage } from '../util/errors.js';
import { demoBaseEnv } from './env.js';
import type { RunningStandIn, StandInContext } from './standin.js';
import { STAND_INS } from './standins.js';

export interface DemoDeployment {
  env: Record<string, string>;
  caPem: string;
  dir: string;
  notes: string[];
  /** Each stand-in's record of what it would have done (see RunningStandIn.activity), by name. */
  activity(): Record<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts every stand-in on 127.0.0.1; one that fails to start becomes a note, not a failed demo. */
export async function startDemoDeployment(): Promise<DemoDeployment> {
  const dir = await mkdtemp(join(tmpdir(), 'bazaarhub-demo-'));
  // The stand-ins' own servers register theirs; this is the scratch directory's.
  const unregister = onExitCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createCertificateAuthority('bazaarhub-check Demo CA');
  const context: StandInContext = {
    dir,
    caPem: ca.cert,
    issueCertificate: (options) => issueCertificate(ca, { ...(options?.hosts ? { hosts: options.hosts } : {}), notAfterDays: options?.daysValid ?? 200 }),
  };
  const started: RunningStandIn[] = [];
  const notes: string[] = [];
  const close = async () => {
    await Promise.allSettled(started.map((standIn) => standIn.close()));
    await rm(dir, { recursive: true, force: true });
    unregister();
  };
  const results = await Promise.allSettled(STAND_INS.map(async (load) => (await load()).start(context)));
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') {
      started.push(result.value);
      if (result.value.note) notes.push(`${result.value.name}: ${result.value.note}`);
    } else {
      notes.push(`stand-in #${index + 1} did not start: ${errorMessage(result.reason)}`);
    }
  });
  const env = Object.assign(demoBaseEnv(), ...started.map((standIn) => standIn.env)) as Record<string, string>;
  const activity = () => Object.fromEntries(started.filter((standIn) => standIn.activity).map((standIn) => [standIn.name, standIn.activity?.() ?? {}]));
  return { env, caPem: ca.cert, dir, notes, activity, close };
}
