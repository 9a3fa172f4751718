import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { perTarget, urlsParam, webTargets } from '../http/services.js';
import { withDetail } from './detail.js';

/** Pure judgement of the ALPN choice when offered h2 and http/1.1: front ends must choose h2; other services are only reported. */
export function judgeAlpn(chosen: string | false, frontEnd: boolean): Omit<FindingDetail, 'subject'> {
  if (chosen === 'h2') return { status: 'pass', observed: 'ALPN: h2 chosen' };
  const text = chosen ? `ALPN: ${chosen} chosen over h2` : 'no ALPN protocol chosen (HTTP/2 not offered)';
  return frontEnd ? { status: 'fail', observed: text } : { status: 'pass', observed: `${text} (not a front end; HTTP/2 optional)` };
}

export default defineProbe({
  id: 'tls.alpn',
  title: 'The front ends offer HTTP/2 (ALPN h2)',
  description:
    "Per service host, the detail handshake offers ALPN h2 and http/1.1: the front ends (the services named in frontEnds: storefront, vendor-panel, admin-panel) must choose h2; the API's choice is reported. With the urls param every URL counts as a front end.",
  params: z.object({ urls: urlsParam, frontEnds: z.array(z.string()).default(['storefront', 'vendor-panel', 'admin-panel']) }),
  remediation: 'In nginx: `listen 443 ssl http2;` (or `http2 on;` from nginx 1.25.1) in each front end\'s server block, then reload.',
  suggests: [{ match: /\bHTTP\/2\b|\bh2\b|\bALPN\b/i, severity: 'medium' }],
  async run(ctx, params) {
    return perTarget(webTargets(ctx, params.urls), 'front ends choose h2 when offered h2 and http/1.1', undefined, (target) =>
      withDetail(ctx, target, (detail) => judgeAlpn(detail.alpn, params.urls.length > 0 || params.frontEnds.includes(target.subject))), { httpsOnly: true });
  },
});
