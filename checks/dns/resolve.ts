import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { resolveHost, type DnsAnswer } from '../../src/facts/dns.js';

function addresses(answer: DnsAnswer): string[] {
  return [...answer.a, ...answer.aaaa];
}

function shown(answer: DnsAnswer): string {
  const parts = [answer.cname.length > 0 ? `CNAME ${answer.cname.join(', ')}` : '', answer.a.length > 0 ? `A ${answer.a.join(', ')}` : '', answer.aaaa.length > 0 ? `AAAA ${answer.aaaa.join(', ')}` : ''];
  return parts.filter(Boolean).join('; ');
}

const ERROR_TEXT: Record<string, string> = { ENOTFOUND: 'NXDOMAIN (no such name)', ETIMEOUT: 'no answer (timeout)', ECONNREFUSED: 'resolver refused the connection', ESERVFAIL: 'SERVFAIL', EREFUSED: 'query refused' };

/** One host across every resolver asked: resolves everywhere (A or AAAA), and every resolver gives the same addresses. */
export function judgeHost(host: string, answers: DnsAnswer[], requireAgreement: boolean): FindingDetail {
  const failures = answers.filter((answer) => answer.error !== undefined || addresses(answer).length === 0);
  if (failures.length > 0) {
    const why = failures.map((answer) => `${answer.resolver}: ${answer.error ? (ERROR_TEXT[answer.error] ?? answer.error) : 'no A or AAAA record'}`).join(', ');
    return { subject: host, status: 'fail', observed: `does not resolve (${why})` };
  }
  const distinct = new Map<string, string[]>();
  for (const answer of answers) {
    const key = addresses(answer).join(' ');
    distinct.set(key, [...(distinct.get(key) ?? []), answer.resolver]);
  }
  const first = answers[0] as DnsAnswer;
  if (distinct.size > 1) {
    const views = answers.map((answer) => `${answer.resolver} → ${addresses(answer).join(', ')}`).join('; ');
    return { subject: host, status: requireAgreement ? 'fail' : 'warn', observed: `resolvers disagree: ${views}` };
  }
  return { subject: host, status: 'pass', observed: `${shown(first)}${answers.length > 1 ? ` (${answers.length} resolvers agree)` : ''}` };
}

/** The hosts to check: the params', or every service's host that is a name (IP literals and localhost need no DNS). */
export function hostsToCheck(serviceHosts: string[], paramHosts: string[]): string[] {
  const hosts = paramHosts.length > 0 ? paramHosts : serviceHosts;
  return [...new Set(hosts.map((host) => host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')))].filter((host) => isIP(host) === 0 && host !== 'localhost');
}

/** Why there is no host to resolve: no service URL at all, or every one is an IP address or localhost. */
export function nothingToResolve(services: Array<{ variable: string; url: URL }>, paramHosts: string[]): string {
  const given = paramHosts.length > 0 ? paramHosts.map((host) => ({ label: 'the hosts param', host })) : services.map((service) => ({ label: service.variable, host: service.url.hostname }));
  if (given.length === 0) return 'no host names to resolve: set APP_URL, STOREFRONT_URL, VENDOR_PANEL_URL, ADMIN_PANEL_URL or the hosts param';
  const shown = given.map(({ label, host }) => `${label} ${host}`).join(', ');
  return `nothing to resolve: every host is an IP address or localhost (${shown}), which needs no DNS record; give the service URLs their domain names to have DNS checked`;
}

export default defineProbe({
  id: 'dns.resolve',
  title: 'Every service host resolves, the same on every resolver',
  description:
    'Each service host (APP_URL/API_BASE_URL, STOREFRONT_URL, VENDOR_PANEL_URL, ADMIN_PANEL_URL, or the hosts param) has A/AAAA records (following CNAMEs) on every resolver asked, and all resolvers give the same addresses (propagation finished). Resolvers default to the system\'s.',
  params: z.object({
    /** Hosts to check instead of the services' hosts. */
    hosts: z.array(z.string()).default([]),
    /** Resolvers to ask, `ip` or `ip:port` (e.g. ["1.1.1.1", "8.8.8.8"]); default the system's. */
    resolvers: z.array(z.string()).default([]),
    /** Disagreeing resolvers fail (default) or only warn (for geo-DNS/CDN hosts). */
    requireAgreement: z.boolean().default(true),
  }),
  remediation: 'Create A/AAAA (or CNAME) records for every service host at the DNS provider, and wait for the old records\' TTL to pass until every resolver gives the new addresses.',
  suggests: [{ match: /domain resolution|dns records|dns propagation/i, severity: 'high' }],
  async run(ctx, params): Promise<Finding> {
    const expected = 'every host has A/AAAA records, identical on every resolver asked';
    const hosts = hostsToCheck(
      ctx.target.services().map((service) => service.url.hostname),
      params.hosts,
    );
    if (hosts.length === 0) return { status: 'skipped', observed: nothingToResolve(ctx.target.services(), params.hosts), expected };
    const resolvers = params.resolvers.length > 0 ? params.resolvers : new Resolver().getServers();
    const asked = resolvers.length > 0 ? resolvers : ['system'];
    const details = await Promise.all(hosts.map(async (host) => judgeHost(host, await Promise.all(asked.map((resolver) => resolveHost(ctx, resolver, host))), params.requireAgreement)));
    return combine(details, `${expected} (resolvers: ${asked.join(', ')})`);
  },
});
