import { Resolver } from 'node:dns/promises';
import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { countWire, dnsServerOf } from './wire.js';

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
/**
 * A resolver for `resolverAddress` (`system`, `ip` or `ip:port`) for one shared fact: its queries
 * (`queries` of them, counted on the wire) are cancelled when the run stops, not when the probe that
 * asked first gives up (the fact is everyone's).
 */
async function withResolver<T>(ctx: ProbeContext, resolverAddress: string, queries: number, use: (resolver: Resolver) => Promise<T>): Promise<T> {
  const resolver = new Resolver({ timeout: Math.max(500, Math.min(ctx.options.timeoutMs / 2, 5000)), tries: 2 });
  if (resolverAddress !== 'system') resolver.setServers([resolverAddress]);
  // c-ares queries are on no diagnostics channel: counted here, over the one UDP socket c-ares
  // opens per server for queries in flight together (it closes it when idle).
  countWire('dns', dnsServerOf(resolver), { requests: queries, connections: 1 });
  const onAbort = () => resolver.cancel();
  ctx.facts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await use(resolver);
  } finally {
    ctx.facts.signal.removeEventListener('abort', onAbort);
  }
}

/** The resolver's error code (ENOTFOUND, ETIMEOUT, ...), or the message when there is none. */
function errorCodeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? errorMessage(error);
}

/** Asks one resolver (`ip` or `ip:port`; `system` for the system's configuration) for a host's A, AAAA and CNAME records. */
export function resolveHost(ctx: ProbeContext, resolverAddress: string, host: string): Promise<DnsAnswer> {
  return ctx.facts.once(`dns ${resolverAddress} ${host}`, async () => {
    ctx.facts.countContact('dns', `${resolverAddress} ${host}`);
    return withResolver(ctx, resolverAddress, 3, async (resolver) => {
      try {
        const [a, aaaa, cname] = await Promise.all([lookup(() => resolver.resolve4(host)), lookup(() => resolver.resolve6(host)), lookup(() => resolver.resolveCname(host))]);
        return { resolver: resolverAddress, host, a: a.sort(), aaaa: aaaa.sort(), cname };
      } catch (error) {
        return { resolver: resolverAddress, host, a: [], aaaa: [], cname: [], error: errorCodeOf(error) };
      }
    });
  });
}

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'CAA'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** One record set, each value as text: `1.2.3.4`, `v=spf1 ...`, `10 mx.example.com`, `0 issue "letsencrypt.org"`. */
export interface RecordAnswer {
  resolver: string;
  name: string;
  type: RecordType;
  values: string[];
  /** NXDOMAIN, a timeout, a refused query: the resolver's error code. */
  error?: string;
}

/** Asks one resolver (`system`, `ip` or `ip:port`) for one record type of one name, once per run. */
export function resolveRecord(ctx: ProbeContext, resolverAddress: string, name: string, type: RecordType): Promise<RecordAnswer> {
  return ctx.facts.once(`dns ${resolverAddress} ${type} ${name}`, async () => {
    ctx.facts.countContact('dns', `${resolverAddress} ${type} ${name}`);
    return withResolver(ctx, resolverAddress, 1, async (resolver) => {
      try {
        const values = await lookup(() => recordsOf(resolver, name, type));
        return { resolver: resolverAddress, name, type, values: values.sort() };
      } catch (error) {
        return { resolver: resolverAddress, name, type, values: [], error: errorCodeOf(error) };
      }
    });
  });
}

/** One record set of `name`, each value as text. */
async function recordsOf(resolver: Resolver, name: string, type: RecordType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'CAA':
      return (await resolver.resolveCaa(name)).map((caa) => {
        const [tag, value] = Object.entries(caa).find(([key]) => key !== 'critical') ?? ['?', ''];
        return `${caa.critical} ${tag} "${String(value)}"`;
      });
  }
}
