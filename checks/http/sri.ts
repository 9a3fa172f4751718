import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { fromProblems, isHtml, perRoute, routeBudget, routeParams, routesOf, ROUTES_HINT, webTargets, type Problem } from './services.js';

export interface ScriptTag {
  src: string;
  integrity?: string;
  crossorigin?: string;
}

export function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!found.has(name)) found.set(name, match[2] ?? match[3] ?? match[4] ?? '');
  }
  return found;
}

/** `<script src>` tags of an HTML document (comments skipped). */
export function scriptTags(html: string): ScriptTag[] {
  const text = html.replace(/<!--[\s\S]*?-->/g, '');
  const tags: ScriptTag[] = [];
  for (const match of text.matchAll(/<script\b([^>]*)>/gi)) {
    const attrs = attributes(match[1] ?? '');
    const src = attrs.get('src');
    if (!src) continue;
    tags.push({ src, ...(attrs.has('integrity') ? { integrity: attrs.get('integrity') } : {}), ...(attrs.has('crossorigin') ? { crossorigin: attrs.get('crossorigin') } : {}) });
  }
  return tags;
}

const INTEGRITY = /^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}$/;

/** Pure judgement: every script from another origin has a well-formed integrity hash (and crossorigin, without which the browser refuses it); none loads over http:. */
export function judgeSri(pageUrl: string, response: { headers: Record<string, string>; body: string }): Omit<FindingDetail, 'subject'> {
  if (!isHtml(response)) return { status: 'pass', observed: 'not an HTML document; no scripts to check' };
  const page = new URL(pageUrl);
  const problems: Problem[] = [];
  let thirdParty = 0;
  for (const tag of scriptTags(response.body)) {
    let url: URL;
    try {
      url = new URL(tag.src, page);
    } catch {
      continue;
    }
    if (url.protocol === 'http:') problems.push({ status: 'fail', text: `${url.href} loads over plain http` });
    if (url.origin === page.origin || !/^https?:$/.test(url.protocol)) continue;
    thirdParty += 1;
    const hashes = (tag.integrity ?? '').split(/\s+/).filter(Boolean);
    if (hashes.length === 0) problems.push({ status: 'fail', text: `${url.href} has no integrity attribute` });
    else if (!hashes.every((hash) => INTEGRITY.test(hash.split('?')[0] ?? ''))) problems.push({ status: 'fail', text: `${url.href} has a malformed integrity "${tag.integrity}"` });
    else if (tag.crossorigin === undefined) problems.push({ status: 'warn', text: `${url.href} has integrity but no crossorigin attribute (the browser will refuse to run it)` });
  }
  return fromProblems(problems, thirdParty > 0 ? `${thirdParty} third-party script${thirdParty === 1 ? '' : 's'}, all with integrity` : 'no third-party scripts');
}

export default defineProbe({
  id: 'http.sri',
  title: 'Third-party scripts carry subresource integrity',
  description:
    "Reads each service's HTML (the shared GET): every <script src> from another origin has a well-formed integrity attribute (sha256/384/512) and crossorigin, and no script loads over http:. Non-HTML responses pass.",
  params: z.object(routeParams),
  budgetMs: routeBudget,
  remediation: 'Add `integrity="sha384-..."` (from the CDN or `openssl dgst -sha384 -binary file | openssl base64 -A`) and `crossorigin="anonymous"` to every third-party <script>, or self-host the script.',
  suggests: [{ match: /subresource integrity|\bSRI\b/i, severity: 'high' }],
  async run(ctx, params) {
    return perRoute(ctx, routesOf(webTargets(ctx, params.urls), params), 'every third-party script with integrity and crossorigin, none over http', undefined, (response) => judgeSri(response.url, response), { hint: ROUTES_HINT });
  },
});
