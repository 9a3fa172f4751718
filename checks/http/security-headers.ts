import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { fromProblems, header, isHtml, perRoute, routeParams, routesOf, ROUTES_HINT, webTargets, type Problem, routeBudget } from './services.js';

/**
 * Pure judgement of one response's headers. Frame protection and CSP matter for documents a
 * browser renders; on a JSON API their absence is a warning, not a failure.
 */
export function judgeSecurityHeaders(response: { headers: Record<string, string> }): Omit<FindingDetail, 'subject'> {
  const html = isHtml(response);
  const missing: Problem[] = [];
  const csp = header(response, 'content-security-policy');
  if (header(response, 'x-content-type-options')?.toLowerCase() !== 'nosniff') missing.push({ status: 'fail', text: 'X-Content-Type-Options: nosniff missing' });
  const frameOptions = header(response, 'x-frame-options')?.toUpperCase();
  const frameAncestors = /(^|;)\s*frame-ancestors\s/i.test(csp ?? '');
  if (frameOptions !== 'DENY' && frameOptions !== 'SAMEORIGIN' && !frameAncestors) {
    missing.push({ status: html ? 'fail' : 'warn', text: 'no frame protection (X-Frame-Options or CSP frame-ancestors)' });
  }
  if (!csp) {
    const reportOnly = header(response, 'content-security-policy-report-only') ? ' (only Report-Only)' : '';
    missing.push({ status: html ? 'fail' : 'warn', text: `no Content-Security-Policy${reportOnly}` });
  }
  const poweredBy = header(response, 'x-powered-by');
  if (poweredBy) missing.push({ status: 'fail', text: `X-Powered-By: ${poweredBy} sent` });
  return fromProblems(missing, `nosniff, ${frameAncestors ? 'CSP frame-ancestors' : `X-Frame-Options ${frameOptions}`}, CSP present, no X-Powered-By`);
}

export default defineProbe({
  id: 'http.security-headers',
  title: 'Security headers are set',
  description:
    'The responses that matter (the API\'s representative routes, apiRoutes param, default /api/products and /api/categories; each front end\'s pages) send X-Content-Type-Options: nosniff, frame protection (X-Frame-Options or CSP frame-ancestors) and a Content-Security-Policy, and no X-Powered-By. A 404 page (Express\'s carries a CSP and nosniff the real routes lack) is never judged.',
  params: z.object(routeParams),
  budgetMs: routeBudget,
  remediation:
    'Use helmet() in Express and `poweredByHeader: false` in next.config.js, or in nginx: `add_header X-Content-Type-Options nosniff always; add_header X-Frame-Options DENY always; add_header Content-Security-Policy "..." always; proxy_hide_header X-Powered-By;`.',
  suggests: [{ match: /security headers/i, severity: 'high' }],
  async run(ctx, params) {
    const services = routesOf(webTargets(ctx, params.urls), params);
    return perRoute(ctx, services, 'nosniff, frame protection, a Content-Security-Policy, and no X-Powered-By on 2xx responses of the API routes and pages', undefined, (response) => judgeSecurityHeaders(response), { hint: ROUTES_HINT });
  },
});
