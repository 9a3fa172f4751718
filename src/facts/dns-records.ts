import { Resolver } from 'node:dns/promises';
import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { countWire, dnsServerOf } from './wire.js';

/**
 * TXT, CAA and MX answers for the mail and CAA probes, from one resolver: the `resolver` param,
 * else the DNS_RESOLVER variable, else the system's. Each name and type is asked once per run.
 */
export type RecordType = 'TXT' | 'CAA';

export interface CaaRecord {
  critical: boolean;
  tag: string;
  value: string;
}

export interface RecordAnswer<T> {
  resolver: string;
  name: string;
  records: T[];
  /** NXDOMAIN is not an error (records stays empty, nxdomain true); timeouts and refusals are. */
  nxdomain?: boolean;
  error?: string;
}

/** ENODATA: the name exists without records of this type; ENOTFOUND: NXDOMAIN. Both are answers. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND']);

export function resolverFor(ctx: ProbeContext, param: string): string {
  return param || ctx.target.get('DNS_RESOLVER') || 'system';
}

function ask<T>(ctx: ProbeContext, resolverAddress: string, name: string, type: RecordType, run: (resolver: Resolver) => Promise<T[]>): Promise<RecordAnswer<T>> {
  const key = `${resolverAddress} ${type} ${name.toLowerCase()}`;
  return ctx.facts.once(`dns ${key}`, async () => {
    ctx.facts.countContact('dns', key);
    const resolver = new Resolver({ timeout: Math.max(500, Math.min(ctx.facts.timeoutMs / 2, 5000)), tries: 2 });
    const onAbort = () => resolver.cancel();
    ctx.facts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (resolverAddress !== 'system') resolver.setServers([resolverAddress]);
      // c-ares queries are on no diagnostics channel: counted here, over the one UDP socket c-ares
      // opens per server for queries in flight together (it closes it when idle).
      countWire('dns', dnsServerOf(resolver), { requests: 1, connections: 1 });
      return { resolver: resolverAddress, name, records: await run(resolver) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code && NO_RECORDS.has(code)) return { resolver: resolverAddress, name, records: [], ...(code === 'ENOTFOUND' ? { nxdomain: true } : {}) };
      return { resolver: resolverAddress, name, records: [], error: code ?? errorMessage(error) };
    } finally {
      ctx.facts.signal.removeEventListener('abort', onAbort);
    }
  });
}

/** TXT records of `name`, each record's strings joined (as SPF and DMARC read them). */
export function txtRecords(ctx: ProbeContext, resolver: string, name: string): Promise<RecordAnswer<string>> {
  return ask(ctx, resolver, name, 'TXT', async (r) => (await r.resolveTxt(name)).map((parts) => parts.join('')));
}

export function caaRecords(ctx: ProbeContext, resolver: string, name: string): Promise<RecordAnswer<CaaRecord>> {
  return ask(ctx, resolver, name, 'CAA', async (r) =>
    (await r.resolveCaa(name)).map((record) => {
      const { critical, ...rest } = record as unknown as { critical: number } & Record<string, string>;
      const [tag = '', value = ''] = Object.entries(rest)[0] ?? [];
      return { critical: Boolean(critical), tag: tag.toLowerCase(), value: String(value) };
    }),
  );
}
