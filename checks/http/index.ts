import type { Probe } from '../../src/engine/types.js';
import cacheHeaders from './cache-headers.js';
import compression from './compression.js';
import cookies from './cookies.js';
import cors from './cors.js';
import csp from './csp.js';
import health from './health.js';
import hsts from './hsts.js';
import httpsRedirect from './https-redirect.js';
import latency from './latency.js';
import observatory from './observatory.js';
import policyHeaders from './policy-headers.js';
import rateLimit from './rate-limit.js';
import reachable from './reachable.js';
import securityHeaders from './security-headers.js';
import serverBanner from './server-banner.js';
import sri from './sri.js';

export const probes: Probe[] = [httpsRedirect, hsts, cors, securityHeaders, serverBanner, cookies, compression, cacheHeaders, health, reachable, latency, rateLimit, csp, observatory, policyHeaders, sri];
