import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { combine } from '../../src/engine/findings.js';
import { esAnonymous, type EsAnonymous, withEs } from '../../src/facts/elasticsearch.js';

const EXPECTED = 'an anonymous request is refused with 401 (security enabled), and the cluster is reached over https';

/** Judges an anonymous GET / and the URL's scheme; plain http fails in production, warns elsewhere. */
export function judgeSecurity(anonymous: EsAnonymous, production: boolean): Finding {
  const auth: FindingDetail =
    anonymous.status === 401
      ? { subject: 'authentication', status: 'pass', observed: `anonymous GET / refused with 401${anonymous.challenge ? ` (challenge ${anonymous.challenge.split(/[\s,]/)[0]})` : ''}` }
      : anonymous.status === 403
        ? { subject: 'authentication', status: 'warn', observed: 'anonymous GET / refused with 403: anonymous access is enabled with a restricted role' }
        : anonymous.status >= 200 && anonymous.status < 300
          ? { subject: 'authentication', status: 'fail', observed: `anonymous GET / answered ${anonymous.status}: security is disabled, anyone reaching the port can read and delete indices` }
          : { subject: 'authentication', status: 'error', observed: `anonymous GET / answered ${anonymous.status}` };
  const transport: FindingDetail = anonymous.https
    ? { subject: 'transport', status: 'pass', observed: 'https' }
    : { subject: 'transport', status: production ? 'fail' : 'warn', observed: `plain http${production ? ' in production' : ''}: credentials and documents cross the network unencrypted` };
  return combine(
    [auth, transport],
    EXPECTED,
    'Enable security (xpack.security.enabled: true, the Elasticsearch 8 default), disable anonymous access, enable TLS on the HTTP layer (xpack.security.http.ssl) and use an https:// ELASTICSEARCH_NODE.',
  );
}

export default defineProbe({
  id: 'es.security',
  sends: { to: 'Elasticsearch (ELASTICSEARCH_NODE or ELASTICSEARCH_URL)', what: 'one GET / without credentials', effect: 'none' },
  title: 'Elasticsearch refuses anonymous requests and uses https',
  description: 'An unauthenticated GET / must be refused with 401; the node URL must be https (plain http fails when NODE_ENV is production or unset).',
  params: z.object({}),
  remediation: 'Keep xpack.security enabled with TLS on the HTTP layer, and connect with https and credentials.',
  suggests: [{ match: /^(secure|enable security for|enable authentication for) elasticsearch/i, severity: 'critical' }],
  async run(ctx) {
    return withEs(ctx, EXPECTED, async () => {
      const nodeEnv = ctx.target.get('NODE_ENV');
      return judgeSecurity(await esAnonymous(ctx), nodeEnv === undefined || nodeEnv === 'production');
    });
  },
});
