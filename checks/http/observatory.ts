import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { parseSetCookie } from './cookies.js';
import { evaluateCsp } from './csp.js';
import { effectiveReferrerPolicy } from './policy-headers.js';
import { header, isHtml, perRoute, routeBudget, routeParams, routesOf, ROUTES_HINT, webTargets } from './services.js';
import { scriptTags } from './sri.js';

/**
 * A header score per service in the HTTP Observatory's spirit: start at 100, take one result per
 * test (its deduction or bonus), add bonuses only when the score is still 90 or more, and map the
 * score to a grade. The deductions are documented in README "Header score".
 */
export interface ScoreLine {
  test: string;
  points: number;
  why: string;
}

const GRADES: Array<[number, string]> = [[100, 'A+'], [90, 'A'], [85, 'A-'], [80, 'B+'], [70, 'B'], [65, 'B-'], [60, 'C+'], [50, 'C'], [45, 'C-'], [40, 'D+'], [30, 'D'], [25, 'D-'], [0, 'F']];

export function grade(score: number): string {
  return (GRADES.find(([minimum]) => score >= minimum) ?? [0, 'F'])[1];
}

export function scoreLines(pageUrl: string, response: { headers: Record<string, string>; setCookies: string[]; body: string }, sessionPattern: RegExp): ScoreLine[] {
  const lines: ScoreLine[] = [];
  const html = isHtml(response);
  const https = pageUrl.startsWith('https:');
  if (html) {
    const csp = evaluateCsp(response.headers, response.body);
    const worst = csp.problems.reduce((found, problem) => (problem.deduction < found.deduction ? problem : found), { deduction: 0, text: '' } as { deduction: number; text: string });
    if (csp.mode === 'none') lines.push({ test: 'CSP', points: -25, why: 'not implemented' });
    else if (csp.mode === 'report-only') lines.push({ test: 'CSP', points: -25, why: 'report-only: not enforced' });
    else lines.push({ test: 'CSP', points: csp.score, why: csp.score < 0 ? worst.text : csp.defaultSrcNone ? "default-src 'none', no unsafe sources" : 'no unsafe sources' });
  }
  const cookies = response.setCookies.map(parseSetCookie);
  if (cookies.length > 0) {
    const session = (name: string) => sessionPattern.test(name);
    const results: ScoreLine[] = [];
    for (const cookie of cookies) {
      const secure = cookie.attributes.has('secure');
      const sameSite = cookie.attributes.get('samesite')?.toLowerCase();
      if (session(cookie.name) && !secure) results.push({ test: 'cookies', points: -40, why: `session cookie ${cookie.name} without Secure` });
      else if (session(cookie.name) && !cookie.attributes.has('httponly')) results.push({ test: 'cookies', points: -30, why: `session cookie ${cookie.name} without HttpOnly` });
      else if (!secure) results.push({ test: 'cookies', points: -20, why: `${cookie.name} without Secure` });
      else if (sameSite !== undefined && !['lax', 'strict', 'none'].includes(sameSite)) results.push({ test: 'cookies', points: -20, why: `${cookie.name} has an invalid SameSite` });
    }
    const worst = results.sort((a, b) => a.points - b.points)[0];
    const allSameSite = cookies.every((cookie) => ['lax', 'strict'].includes(cookie.attributes.get('samesite')?.toLowerCase() ?? ''));
    lines.push(worst ?? { test: 'cookies', points: allSameSite ? 5 : 0, why: allSameSite ? 'Secure, HttpOnly sessions, SameSite on every cookie' : 'Secure, HttpOnly sessions' });
  }
  if (https) {
    const hsts = header(response, 'strict-transport-security');
    const maxAge = Number(/max-age\s*=\s*"?(\d+)/i.exec(hsts ?? '')?.[1] ?? Number.NaN);
    if (!hsts || Number.isNaN(maxAge)) lines.push({ test: 'HSTS', points: -20, why: 'not implemented' });
    else if (maxAge < 15_768_000) lines.push({ test: 'HSTS', points: -10, why: `max-age ${maxAge} under six months` });
    else lines.push({ test: 'HSTS', points: 0, why: `max-age ${maxAge}` });
  }
  const referrer = effectiveReferrerPolicy(header(response, 'referrer-policy'));
  if (!referrer) lines.push({ test: 'Referrer-Policy', points: 0, why: 'not set (browser default)' });
  else if (referrer === 'unsafe-url' || referrer === 'no-referrer-when-downgrade') lines.push({ test: 'Referrer-Policy', points: -5, why: referrer });
  else lines.push({ test: 'Referrer-Policy', points: 5, why: referrer });
  if (html) {
    const page = new URL(pageUrl);
    const external = scriptTags(response.body).flatMap((tag) => {
      try {
        const url = new URL(tag.src, page);
        return url.origin !== page.origin && /^https?:$/.test(url.protocol) ? [{ url, integrity: Boolean(tag.integrity) }] : [];
      } catch {
        return [];
      }
    });
    if (external.some((script) => !script.integrity && script.url.protocol === 'http:')) lines.push({ test: 'SRI', points: -50, why: 'third-party script over http without integrity' });
    else if (external.some((script) => !script.integrity)) lines.push({ test: 'SRI', points: -5, why: 'third-party script without integrity' });
    else if (external.length > 0) lines.push({ test: 'SRI', points: 5, why: 'every third-party script with integrity' });
    const frameOptions = header(response, 'x-frame-options')?.toUpperCase();
    const csp = header(response, 'content-security-policy') ?? '';
    if (/(^|;)\s*frame-ancestors\s/i.test(csp)) lines.push({ test: 'framing', points: 5, why: 'CSP frame-ancestors' });
    else if (frameOptions === 'DENY' || frameOptions === 'SAMEORIGIN') lines.push({ test: 'framing', points: 0, why: `X-Frame-Options ${frameOptions}` });
    else lines.push({ test: 'framing', points: -20, why: 'no X-Frame-Options or frame-ancestors' });
  }
  if (header(response, 'x-content-type-options')?.toLowerCase() !== 'nosniff') lines.push({ test: 'X-Content-Type-Options', points: -5, why: 'not nosniff' });
  return lines;
}

export function score(lines: readonly ScoreLine[]): number {
  const penalties = lines.reduce((sum, line) => sum + Math.min(0, line.points), 0);
  const base = 100 + penalties;
  const bonus = base >= 90 ? lines.reduce((sum, line) => sum + Math.max(0, line.points), 0) : 0;
  return Math.max(0, base + bonus);
}

export interface ScorePolicy {
  passScore: number;
  warnScore: number;
}

export function judgeScore(lines: readonly ScoreLine[], policy: ScorePolicy): Omit<FindingDetail, 'subject'> {
  const total = score(lines);
  const shown = lines.filter((line) => line.points !== 0).map((line) => `${line.test} ${line.points > 0 ? '+' : ''}${line.points} (${line.why})`);
  const observed = `grade ${grade(total)} (${total}/100)${shown.length > 0 ? `: ${shown.join(', ')}` : ''}`;
  return { status: total >= policy.passScore ? 'pass' : total >= policy.warnScore ? 'warn' : 'fail', observed };
}

export default defineProbe({
  id: 'http.observatory',
  title: "Header score per service, in the HTTP Observatory's spirit",
  description:
    "Scores each service's shared GET from 100: CSP (worst of: not implemented or report-only -25, unsafe-inline/wildcard/http: -20, unsafe-eval -10, missing object-src/base-uri/frame-ancestors -5; clean +5, default-src 'none' +10), cookies, HSTS, Referrer-Policy, SRI, framing and X-Content-Type-Options (README \"Header score\" lists every deduction); bonuses count only at 90 or more. Grade A+ to F in the report; pass at passScore, warn at warnScore, else fail. CSP, SRI and framing count on HTML documents only.",
  budgetMs: routeBudget,
  params: z.object({
    ...routeParams,
    passScore: z.number().min(0).max(200).default(70),
    warnScore: z.number().min(0).max(200).default(50),
    sessionCookiePattern: z.string().default('sess|sid|token|auth|jwt|remember|refresh|login'),
  }),
  remediation: 'Fix the deductions listed, largest first (see http.csp, http.cookies, http.hsts, http.sri and http.policy-headers for each one\'s remedy).',
  suggests: [{ match: /observatory|security header (score|grade)/i, severity: 'medium' }],
  async run(ctx, params) {
    const pattern = new RegExp(params.sessionCookiePattern, 'i');
    return perRoute(ctx, routesOf(webTargets(ctx, params.urls), params), `a header score of at least ${params.passScore} (grade ${grade(params.passScore)})`, undefined, (response) => judgeScore(scoreLines(response.url, response, pattern), params), { hint: ROUTES_HINT });
  },
});
