import type { CatalogEntry } from '../catalog/schema.js';
import { ESSENTIAL_GROUPS } from '../../checks/env/required.js';
import { AWS, ELASTICSEARCH, POSTGRES, REDIS } from './service-variables.js';

/**
 * Which `.env.production` variables each probe reads (facts included), for `init`'s env template.
 * Keyed by probe id, then by area (`http.`); `env.*` probes read what their params name. A test
 * keeps this in step with the registry (every probe id resolves to a list, every name is known).
 */
const WEB = ['APP_URL', 'STOREFRONT_URL', 'VENDOR_PANEL_URL', 'ADMIN_PANEL_URL', 'APP_HTTP_URL', 'STOREFRONT_HTTP_URL', 'VENDOR_PANEL_HTTP_URL', 'ADMIN_PANEL_HTTP_URL'];

const BY_PROBE: Record<string, readonly string[]> = {
  'env.db-pool': ['DB_POOL_MIN', 'DB_POOL_MAX'],
  'env.required': [...new Set(Object.values(ESSENTIAL_GROUPS).flatMap((group) => group.anyOf.flat()))],
  'postgres.max-connections': [...POSTGRES, 'DB_POOL_MAX'],
  'es.security': [...ELASTICSEARCH, 'NODE_ENV'],
  'es.indices': [...ELASTICSEARCH, 'ES_INDEX_PREFIX'],
  's3.buckets': [...AWS, 'AWS_S3_BUCKET', 'AWS_S3_KYC_BUCKET'],
  'razorpay.keys': ['RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET', 'RAZORPAY_API_URL', 'NODE_ENV'],
  'razorpay.webhook-signature': ['RAZORPAY_WEBHOOK_URL', 'RAZORPAY_WEBHOOK_SECRET'],
  'shiprocket.auth': ['SHIPROCKET_BASE_URL', 'SHIPROCKET_EMAIL', 'SHIPROCKET_PASSWORD', 'SHIPROCKET_API_KEY'],
  'smtp.connect': ['SMTP_HOST', 'SMTP_PORT', 'SMTP_USER', 'SMTP_PASSWORD', 'SMTP_FROM_EMAIL'],
  'monitoring.alert-rules': ['PROMETHEUS_URL'],
  'backup.recent': AWS,
  'mail.spf': ['SMTP_FROM_EMAIL'],
  'mail.dmarc': ['SMTP_FROM_EMAIL'],
  'mail.dkim': ['SMTP_FROM_EMAIL', 'DKIM_SELECTOR'],
  'deploy.service': WEB,
  'sms.account': ['SMS_PROVIDER', 'SMS_ACCOUNT_SID', 'SMS_AUTH_TOKEN', 'SMS_API_URL', 'SMS_FROM_NUMBER', 'NODE_ENV'],
  'monitoring.series': ['PROMETHEUS_URL'],
  'monitoring.alertmanagers': ['PROMETHEUS_URL'],
  'tcp.port': ['APP_URL'],
  'sql.query': POSTGRES,
  command: [],
  'npm.audit': [],
  'git.release-state': [],
};

const BY_AREA: Record<string, readonly string[]> = {
  http: WEB,
  tls: WEB,
  waf: WEB,
  dns: WEB,
  postgres: POSTGRES,
  redis: REDIS,
  es: ELASTICSEARCH,
  s3: [...AWS, 'AWS_S3_BUCKET', 'AWS_S3_KYC_BUCKET'],
};

/** env.* probes whose variables are their params (secret-strength, flags, cors-origins); env.default-passwords reads every credential. */
function fromParams(probe: string, params: Record<string, unknown>): readonly string[] | undefined {
  if (probe === 'env.secret-strength') return Array.isArray(params.variables) ? (params.variables as string[]) : ['JWT_SECRET', 'ENCRYPTION_KEY'];
  if (probe === 'env.flags') return params.expect && typeof params.expect === 'object' ? Object.keys(params.expect) : ['NODE_ENV', 'HTTPS_ONLY', 'SECURE_COOKIES'];
  if (probe === 'env.cors-origins' || probe === 'http.cors') return [...(probe === 'http.cors' ? WEB : []), typeof params.variable === 'string' ? params.variable : 'CORS_ORIGIN'];
  if (probe === 'env.default-passwords') return ['DB_PASSWORD', 'REDIS_PASSWORD', 'ELASTICSEARCH_PASSWORD', 'SMTP_PASSWORD', 'ADMIN_PASSWORD'];
  return undefined;
}

/** The variables one probe reads, or undefined for a probe this table does not know. */
export function variablesOfProbe(probe: string, params: Record<string, unknown> = {}): readonly string[] | undefined {
  return fromParams(probe, params) ?? BY_PROBE[probe] ?? BY_AREA[probe.slice(0, probe.indexOf('.'))];
}

/** Every variable the catalog's probes read, each with the entry ids that need it, in first-use order. */
export function variablesOfCatalog(entries: readonly Pick<CatalogEntry, 'id' | 'probe' | 'params'>[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const entry of entries) {
    if (!entry.probe) continue;
    for (const name of variablesOfProbe(entry.probe, entry.params ?? {}) ?? []) {
      const ids = used.get(name) ?? [];
      ids.push(entry.id);
      used.set(name, ids);
    }
  }
  return used;
}
