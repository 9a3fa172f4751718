import { Resolver } from 'node:dns/promises';
import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';

/** What one resolver answered for one host. */
export interface DnsAnswer {
  resolver: string;
  host: string;
  a: string[];
  aaaa: string[];
  cname: string[];
  /** NXDOMAIN, a timeout, a refused query: the resolver's error code (ENOTFOUND, ETIMEOUT, ...). */
  error?: string;
}

const NO_DATA = new Set(['ENODATA']);

async function lookup(run: () => Promise<string[]>): Promise<string[]> {
  try {
    return await run();
  } catch (error) {
    if (NO_DATA.has((error as NodeJS.ErrnoException).code ?? '')) return [];
    throw error;
  }
}

/** Asks one resolver (`ip` or `ip:port`; `system` for the system's configuration) for a host's A, AAAA and CNAME records. */
export function resolveHost(ctx: ProbeContext, resolverAddress: string, host: string): Promise<DnsAnswer> {
  return ctx.facts.once(`dns ${resolverAddress} ${host}`, async () => {
    ctx.facts.countContact('dns', `${resolverAddress} ${host}`);
    const resolver = new Resolver({ timeout: Math.max(500, Math.min(ctx.options.timeoutMs / 2, 5000)), tries: 2 });
    if (resolverAddress !== 'system') resolver.setServers([resolverAddress]);
    const onAbort = () => resolver.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const [a, aaaa, cname] = await Promise.all([lookup(() => resolver.resolve4(host)), lookup(() => resolver.resolve6(host)), lookup(() => resolver.resolveCname(host))]);
      return { resolver: resolverAddress, host, a: a.sort(), aaaa: aaaa.sort(), cname };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { resolver: resolverAddress, host, a: [], aaaa: [], cname: [], error: code ?? errorMessage(error) };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  });
}
