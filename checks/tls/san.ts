import { isIP } from 'node:net';
import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { tlsFacts } from '../../src/facts/tls.js';
import { urlsParam, webTargets } from '../http/services.js';
import { handshakesNote } from './detail.js';

/** RFC 6125 matching against subjectAltName only (browsers ignore the CN): one left-most wildcard label. */
export function sanCovers(altNames: readonly string[], host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return altNames.some((entry) => {
    const san = entry.toLowerCase().replace(/\.$/, '');
    if (san === name) return true;
    if (isIP(name) !== 0 || !san.startsWith('*.')) return false;
    const dot = name.indexOf('.');
    return dot > 0 && name.slice(dot + 1) === san.slice(2);
  });
}

export interface ServedCertificate {
  subject: string;
  host: string;
  altNames: string[];
  fingerprint256: string;
}

/**
 * Pure judgement over every service's certificate: each covers its own host in its SAN list, and
 * with `shared` each certificate covers all the services' hosts (one certificate for the domain).
 */
export function judgeSans(served: readonly ServedCertificate[], allHosts: readonly string[], shared: boolean): FindingDetail[] {
  return served.map((cert) => {
    const missing = (shared ? allHosts : [cert.host]).filter((host) => !sanCovers(cert.altNames, host));
    const list = cert.altNames.length > 0 ? cert.altNames.join(', ') : 'none';
    if (missing.length > 0) return { subject: cert.subject, status: 'fail', observed: `SAN does not cover ${missing.join(', ')} (SAN: ${list})` };
    const others = allHosts.filter((host) => host !== cert.host && sanCovers(cert.altNames, host));
    return { subject: cert.subject, status: 'pass', observed: `SAN covers ${[cert.host, ...others].join(', ')} (SAN: ${list})` };
  });
}

export default defineProbe({
  id: 'tls.san',
  title: "Certificates' SAN lists cover every service host name",
  description:
    "From each service's normal handshake (shared with tls.certificate): the leaf's subjectAltName list (not the CN) covers the service's own host; with shared: true, every certificate covers the host names of all four services.",
  params: z.object({ urls: urlsParam, shared: z.boolean().default(false) }),
  remediation: 'Reissue the certificate with every service host name as a SAN (certbot: one `-d` per host, e.g. `-d api.example.in -d shop.example.in -d vendor.example.in -d admin.example.in`).',
  suggests: [{ match: /\bSAN\b|subject alternative name/i, severity: 'critical' }],
  async run(ctx, params): Promise<Finding> {
    const expected = params.shared ? 'every certificate lists every service host name as a SAN' : "each service's certificate lists its host name as a SAN";
    const targets = webTargets(ctx, params.urls);
    if (targets.length === 0) return { status: 'skipped', observed: 'no service URL: set APP_URL, STOREFRONT_URL, VENDOR_PANEL_URL or ADMIN_PANEL_URL, or the `urls` param', expected };
    const allHosts = [...new Set(targets.map((target) => target.url.hostname.replace(/^\[|\]$/g, '').toLowerCase()))];
    const details = await Promise.all(
      targets.map(async (target): Promise<FindingDetail> => {
        if (target.url.protocol !== 'https:') return { subject: target.subject, status: 'fail', observed: `${target.url.origin} is served over plain http, not https` };
        const result = await tlsFacts(ctx, target.url).catch((error: unknown) => ({ ok: false as const, host: target.url.hostname, port: 0, error: String(error), refused: false }));
        if (!result.ok) return { subject: target.subject, status: result.refused ? 'fail' : 'error', observed: `no TLS handshake: ${result.error}` };
        const leaf = result.chain[0];
        if (!leaf) return { subject: target.subject, status: 'fail', observed: 'no certificate presented' };
        const [judged] = judgeSans([{ subject: target.subject, host: result.host.toLowerCase(), altNames: leaf.altNames.map((name) => name.toLowerCase()), fingerprint256: leaf.fingerprint256 }], allHosts, params.shared);
        return { ...(judged as FindingDetail), observed: `${(judged as FindingDetail).observed} (${handshakesNote(1)})` };
      }),
    );
    return combine(details, expected);
  },
});
