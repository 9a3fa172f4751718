import { z } from 'zod';
import { defineProbe, type Finding, type ProbeContext } from '../../src/engine/types.js';
import { resolverFor, txtRecords } from '../../src/facts/dns-records.js';
import { NO_DOMAIN, sendingDomain } from './domain.js';

/** One SPF record and the records its include:/redirect= terms lead to, as gathered from DNS. */
export interface SpfNode {
  domain: string;
  /** The v=spf1 records found (more than one is a permanent error). */
  records: string[];
  /** DNS failure (timeout, SERVFAIL) at this name. */
  error?: string;
  /** include:/redirect= targets, gathered recursively (absent past the recursion bound). */
  children: Array<{ term: string; node?: SpfNode }>;
}

const LOOKUP_TERM = /^[+\-~?]?(include:|a$|a:|a\/|mx$|mx:|mx\/|ptr$|ptr:|exists:)|^redirect=/i;

export function spfTerms(record: string): string[] {
  return record.trim().split(/\s+/).slice(1);
}

function target(term: string): string | undefined {
  const match = /^[+\-~?]?include:(.+)$/i.exec(term) ?? /^redirect=(.+)$/i.exec(term);
  return match?.[1]?.toLowerCase().replace(/\.$/, '');
}

/** Gathers the SPF tree (bounded: 12 levels, 30 names), each name's TXT asked once. */
export async function gatherSpf(ctx: ProbeContext, resolver: string, domain: string, budget = { names: 30 }, depth = 0): Promise<SpfNode> {
  budget.names -= 1;
  const answer = await txtRecords(ctx, resolver, domain);
  const records = answer.records.filter((text) => /^v=spf1(\s|$)/i.test(text.trim()));
  const node: SpfNode = { domain, records, ...(answer.error ? { error: answer.error } : {}), children: [] };
  if (records.length !== 1 || depth >= 12) return node;
  for (const term of spfTerms(records[0] as string)) {
    const next = target(term);
    // Macro targets (%{i}, %{d}) expand per message; the term still counts as one lookup.
    if (!next || next.includes('%')) continue;
    node.children.push(budget.names > 0 ? { term, node: await gatherSpf(ctx, resolver, next, budget, depth + 1) } : { term });
  }
  return node;
}

export interface SpfVerdict {
  status: 'pass' | 'warn' | 'fail' | 'error';
  observed: string;
}

/** DNS-querying terms under `node`, counted as RFC 7208 4.6.4 does (include and redirect count, and so do their records' terms). */
export function countLookups(node: SpfNode, seen = new Set<string>()): number {
  if (seen.has(node.domain)) return 11;
  seen.add(node.domain);
  const record = node.records[0];
  if (!record) return 0;
  let count = 0;
  for (const term of spfTerms(record)) {
    if (!LOOKUP_TERM.test(term)) continue;
    count += 1;
    const child = node.children.find((entry) => entry.term === term);
    if (child?.node) count += countLookups(child.node, new Set(seen));
  }
  return count;
}

function problemsBelow(node: SpfNode): string[] {
  const found: string[] = [];
  for (const child of node.children) {
    if (!child.node) continue;
    if (child.node.error) found.push(`${child.term}: DNS error ${child.node.error}`);
    else if (child.node.records.length === 0) found.push(`${child.term}: ${child.node.domain} has no SPF record (permerror)`);
    else if (child.node.records.length > 1) found.push(`${child.term}: ${child.node.domain} has ${child.node.records.length} SPF records (permerror)`);
    else found.push(...problemsBelow(child.node));
  }
  return found;
}

/** The policy for mail matching nothing: the top record's `all`, or the redirect target's. */
function finalAll(node: SpfNode): string | undefined {
  const record = node.records[0];
  if (!record) return undefined;
  const terms = spfTerms(record);
  const all = terms.find((term) => /^[+\-~?]?all$/i.test(term));
  if (all) return all.length === 3 ? '+all' : all.toLowerCase();
  const redirect = node.children.find((child) => /^redirect=/i.test(child.term));
  return redirect?.node ? finalAll(redirect.node) : undefined;
}

export function judgeSpf(root: SpfNode, maxLookups = 10): SpfVerdict {
  if (root.error) return { status: 'error', observed: `DNS error for ${root.domain} TXT: ${root.error}` };
  if (root.records.length === 0) return { status: 'fail', observed: `no SPF record (TXT "v=spf1 ...") at ${root.domain}` };
  if (root.records.length > 1) return { status: 'fail', observed: `${root.records.length} SPF records at ${root.domain} (permerror: receivers ignore them all)` };
  const problems: string[] = [];
  const warnings: string[] = [];
  const lookups = countLookups(root);
  if (lookups > maxLookups) problems.push(`${lookups} DNS lookups (more than ${maxLookups}: permerror)`);
  problems.push(...problemsBelow(root));
  const all = finalAll(root);
  if (!all) problems.push('no final -all or ~all (mail from anywhere is "neutral")');
  else if (all !== '-all' && all !== '~all') problems.push(`ends with ${all} (should be -all or ~all)`);
  if (spfTerms(root.records[0] as string).some((term) => /^[+\-~?]?ptr(:|$)/i.test(term))) warnings.push('uses the deprecated ptr mechanism');
  const summary = `"${root.records[0]}" (${lookups} DNS lookup${lookups === 1 ? '' : 's'})`;
  if (problems.length > 0) return { status: 'fail', observed: `${problems.join('; ')}: ${summary}` };
  if (warnings.length > 0) return { status: 'warn', observed: `${warnings.join('; ')}: ${summary}` };
  return { status: 'pass', observed: `${all}, within ${maxLookups} lookups: ${summary}` };
}

export default defineProbe({
  id: 'mail.spf',
  title: 'The sending domain has an SPF record ending in -all or ~all, within 10 DNS lookups',
  description:
    "For the domain of SMTP_FROM_EMAIL (or the domain param): exactly one v=spf1 TXT record, ending in -all or ~all (directly or through redirect=), whose include/a/mx/ptr/exists/redirect terms, counted recursively through include: and redirect=, stay within maxLookups (10, RFC 7208); every include: target has an SPF record. DNS from the resolver param, else DNS_RESOLVER, else the system resolver.",
  params: z.object({ domain: z.string().default(''), resolver: z.string().default(''), maxLookups: z.number().int().positive().default(10) }),
  remediation: 'Publish one TXT record at the sending domain such as `v=spf1 include:<your provider> -all` (e.g. include:amazonses.com, include:sendgrid.net), and flatten includes if the 10-lookup limit is exceeded.',
  suggests: [{ match: /\bSPF\b/i, severity: 'high' }],
  async run(ctx, params): Promise<Finding> {
    const expected = `one SPF record ending in -all or ~all with at most ${params.maxLookups} DNS lookups`;
    const domain = sendingDomain(ctx, params.domain);
    if (!domain) return { status: 'skipped', observed: NO_DOMAIN, expected };
    const resolver = resolverFor(ctx, params.resolver);
    const verdict = judgeSpf(await gatherSpf(ctx, resolver, domain), params.maxLookups);
    return { ...verdict, observed: `${domain}: ${verdict.observed}`, expected: `${expected} (resolver: ${resolver})` };
  },
});
