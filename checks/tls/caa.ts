import { isIP } from 'node:net';
import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail, type ProbeContext } from '../../src/engine/types.js';
import { caaRecords, resolverFor, type CaaRecord, type RecordAnswer } from '../../src/facts/dns-records.js';
import { tlsDetailFacts } from '../../src/facts/tls-depth.js';
import { certificateDetails } from '../../src/facts/x509.js';
import { urlsParam, webTargets } from '../http/services.js';

/** CAA identifiers (RFC 8659 issuer domain names) of the common CAs, by a word of the issuer's organisation. */
export const CA_IDENTIFIERS: Record<string, string[]> = {
  "Let's Encrypt": ['letsencrypt.org'],
  DigiCert: ['digicert.com', 'symantec.com', 'geotrust.com', 'rapidssl.com', 'thawte.com', 'digicert.ne.jp'],
  Sectigo: ['sectigo.com', 'comodoca.com', 'comodo.com', 'usertrust.com', 'trust-provider.com'],
  COMODO: ['sectigo.com', 'comodoca.com', 'comodo.com'],
  ZeroSSL: ['sectigo.com', 'zerossl.com'],
  GlobalSign: ['globalsign.com'],
  'Google Trust Services': ['pki.goog', 'google.com'],
  Amazon: ['amazon.com', 'amazontrust.com', 'awstrust.com', 'amazonaws.com'],
  GoDaddy: ['godaddy.com', 'starfieldtech.com'],
  Starfield: ['starfieldtech.com', 'godaddy.com'],
  Entrust: ['entrust.net'],
  Buypass: ['buypass.com', 'buypass.no'],
  'SSL Corporation': ['ssl.com'],
  Microsoft: ['microsoft.com'],
};

export function identifiersFor(issuerOrganization: string, extra: Record<string, string[]>): string[] {
  const table = { ...CA_IDENTIFIERS, ...extra };
  return Object.entries(table)
    .filter(([word]) => issuerOrganization.toLowerCase().includes(word.toLowerCase()))
    .flatMap(([, ids]) => ids);
}

/** The names to ask, most specific first (RFC 8659 climbs to the parent until a CAA set is found). */
export function climb(host: string): string[] {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const names: string[] = [];
  for (let index = 0; index <= labels.length - 2; index += 1) names.push(labels.slice(index).join('.'));
  return names;
}

/** Pure judgement of the relevant CAA set (the first non-empty one up the tree) for a certificate. */
export function judgeCaa(host: string, relevant: { name: string; records: CaaRecord[] } | undefined, issuerOrganization: string, identifiers: readonly string[], wildcard: boolean): Omit<FindingDetail, 'subject'> {
  if (!relevant) return { status: 'pass', observed: `no CAA records for ${host} or its parents: every CA may issue (issuer ${issuerOrganization})` };
  const unknownCritical = relevant.records.filter((record) => record.critical && !['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone'].includes(record.tag));
  if (unknownCritical.length > 0) return { status: 'fail', observed: `CAA at ${relevant.name} has critical tag ${unknownCritical[0]?.tag} no CA understands: issuance is forbidden` };
  const issueWild = relevant.records.filter((record) => record.tag === 'issuewild');
  const tagged = wildcard && issueWild.length > 0 ? issueWild : relevant.records.filter((record) => record.tag === 'issue');
  const shown = relevant.records.map((record) => `${record.tag} "${record.value}"`).join(', ');
  if (tagged.length === 0) return { status: 'pass', observed: `CAA at ${relevant.name} restricts no issuance (${shown})` };
  const permitted = tagged.map((record) => (record.value.split(';')[0] ?? '').trim().toLowerCase()).filter(Boolean);
  if (identifiers.length === 0) return { status: 'warn', observed: `issuer "${issuerOrganization}" has no known CAA identifier; CAA at ${relevant.name} permits ${permitted.join(', ') || 'no CA'} (add it to the caIdentifiers param)` };
  const match = identifiers.find((id) => permitted.includes(id));
  if (!match) return { status: 'fail', observed: `CAA at ${relevant.name} permits ${permitted.join(', ') || 'no CA'}, not the issuer "${issuerOrganization}" (${identifiers.join(', ')}): renewal will fail` };
  return { status: 'pass', observed: `CAA at ${relevant.name} permits ${match} (the issuer "${issuerOrganization}")` };
}

async function relevantSet(ctx: ProbeContext, resolver: string, host: string): Promise<{ set?: { name: string; records: CaaRecord[] }; error?: RecordAnswer<CaaRecord> }> {
  for (const name of climb(host)) {
    const answer = await caaRecords(ctx, resolver, name);
    if (answer.error) return { error: answer };
    if (answer.records.length > 0) return { set: { name, records: answer.records } };
  }
  return {};
}

export default defineProbe({
  id: 'tls.caa',
  title: "CAA records permit the certificates' issuing CA",
  description:
    "For each service host name (IP literals and localhost aside): the CAA set found by climbing from the host to its parents (RFC 8659) permits the CA that issued the certificate served there (matched by the issuer's organisation; caIdentifiers extends the table). No CAA records permit every CA. Asks the resolver param, else DNS_RESOLVER, else the system resolver; skipped when DNS cannot be reached.",
  params: z.object({
    urls: urlsParam,
    resolver: z.string().default(''),
    /** The DNS name whose CAA set applies to every service (e.g. the apex); default each service's own host. */
    domain: z.string().default(''),
    /** Extra issuer organisation word -> CAA identifiers, e.g. { "Example CA": ["ca.example"] }. */
    caIdentifiers: z.record(z.array(z.string())).default({}),
  }),
  remediation: 'Add a CAA record naming the CA that issues the certificates at the domain\'s apex, e.g. `example.in. CAA 0 issue "letsencrypt.org"`, or remove the CAA records that exclude it.',
  suggests: [{ match: /\bCAA\b/i, severity: 'medium' }],
  async run(ctx, params): Promise<Finding> {
    const expected = "the CAA records permit the certificates' issuer";
    const resolver = resolverFor(ctx, params.resolver);
    const named = (host: string) => isIP(host.replace(/^\[|\]$/g, '')) === 0 && !/(^|\.)localhost$/i.test(host);
    const targets = webTargets(ctx, params.urls).filter((target) => target.url.protocol === 'https:' && (params.domain !== '' || named(target.url.hostname)));
    if (targets.length === 0) return { status: 'skipped', observed: 'no https service with a DNS host name to look up CAA records for', expected };
    const details = await Promise.all(
      targets.map(async (target): Promise<FindingDetail & { dnsDown?: boolean }> => {
        const host = (params.domain || target.url.hostname).toLowerCase();
        const [handshake, caa] = await Promise.all([tlsDetailFacts(ctx, target.url), relevantSet(ctx, resolver, host)]);
        if (caa.error) return { subject: target.subject, status: 'error', observed: `DNS not reachable: ${resolver} answered ${caa.error.error} for ${caa.error.name} CAA`, dnsDown: true };
        if (!handshake.ok) return { subject: target.subject, status: 'error', observed: `no TLS handshake to learn the issuer: ${handshake.error}` };
        const leafDer = (handshake.sentChain ?? handshake.peerChain)[0];
        if (!leafDer) return { subject: target.subject, status: 'fail', observed: 'no certificate presented' };
        const leaf = certificateDetails(leafDer);
        const organization = leaf.issuerOrganization ?? leaf.issuer;
        const wildcard = leaf.altNames.some((name) => name.startsWith('*.'));
        return { subject: target.subject, ...judgeCaa(host, caa.set, organization, identifiersFor(organization, params.caIdentifiers), wildcard) };
      }),
    );
    if (details.every((detail) => detail.dnsDown)) return { status: 'skipped', observed: `DNS not reachable: ${details[0]?.observed ?? ''}`, expected };
    return combine(details.map(({ dnsDown: _dnsDown, ...detail }) => detail), `${expected} (resolver: ${resolver})`);
  },
});
