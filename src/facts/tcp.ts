import { connect } from 'node:net';
import type { ProbeContext } from '../engine/types.js';

/** What one TCP connection attempt saw: accepted, refused, no answer (filtered), or another error. */
export type TcpOutcome = { outcome: 'accepted'; ms: number } | { outcome: 'refused'; reason: string } | { outcome: 'silent'; reason: string } | { outcome: 'unresolved' | 'error'; reason: string };

/** One connection attempt per host:port and run; closed at once (nothing is sent). */
export function tcpConnect(ctx: ProbeContext, host: string, port: number): Promise<TcpOutcome> {
  return ctx.facts.once(`tcp ${host}:${port}`, () => {
    ctx.facts.countContact('tcp', `${host}:${port}`);
    const started = performance.now();
    return new Promise<TcpOutcome>((resolve) => {
      const socket = connect({ host, port, signal: AbortSignal.any([ctx.facts.signal, AbortSignal.timeout(ctx.facts.timeoutMs)]) });
      socket.once('connect', () => {
        resolve({ outcome: 'accepted', ms: performance.now() - started });
        socket.destroy();
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        socket.destroy();
        if (error.code === 'ECONNREFUSED') resolve({ outcome: 'refused', reason: 'connection refused' });
        else if (error.name === 'AbortError' || error.code === 'ABORT_ERR' || error.code === 'ETIMEDOUT') resolve({ outcome: 'silent', reason: `no answer within ${ctx.facts.timeoutMs} ms` });
        else if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') resolve({ outcome: 'unresolved', reason: `${host} does not resolve (${error.code})` });
        else resolve({ outcome: 'error', reason: `${error.code ?? error.message}` });
      });
    });
  });
}
