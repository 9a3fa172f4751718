import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { deploymentEnvironment } from '../../src/target/environment.js';
import type { Target } from '../../src/target/target.js';

/**
 * The essential variables of the checklist's "Environment Setup" block. Each group is satisfied by
 * any one of its alternatives; an alternative needs all of its variables (a URL with a password
 * counts for the password).
 */
export const ESSENTIAL_GROUPS: Record<string, { label: string; anyOf: string[][] }> = {
  'node-env': { label: 'NODE_ENV', anyOf: [['NODE_ENV']] },
  database: { label: 'Database credentials', anyOf: [['DATABASE_URL'], ['DB_HOST', 'DB_NAME', 'DB_USER', 'DB_PASSWORD']] },
  redis: { label: 'Redis credentials', anyOf: [['REDIS_URL'], ['REDIS_HOST', 'REDIS_PASSWORD']] },
  elasticsearch: {
    label: 'Elasticsearch credentials',
    anyOf: [['ELASTICSEARCH_NODE', 'ELASTICSEARCH_USERNAME', 'ELASTICSEARCH_PASSWORD'], ['ELASTICSEARCH_URL', 'ELASTICSEARCH_USERNAME', 'ELASTICSEARCH_PASSWORD']],
  },
  'jwt-secret': { label: 'JWT_SECRET', anyOf: [['JWT_SECRET']] },
  'encryption-key': { label: 'ENCRYPTION_KEY', anyOf: [['ENCRYPTION_KEY']] },
  razorpay: { label: 'Razorpay production keys', anyOf: [['RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET', 'RAZORPAY_WEBHOOK_SECRET']] },
  aws: { label: 'AWS credentials', anyOf: [['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_S3_BUCKET', 'AWS_S3_KYC_BUCKET']] },
  'email-sms': { label: 'Email/SMS credentials', anyOf: [['SMTP_HOST', 'SMTP_USER', 'SMTP_PASSWORD', 'SMS_PROVIDER', 'SMS_AUTH_TOKEN']] },
  domains: { label: 'Domain names', anyOf: [['APP_URL', 'STOREFRONT_URL', 'VENDOR_PANEL_URL', 'ADMIN_PANEL_URL'], ['API_BASE_URL', 'STOREFRONT_URL', 'VENDOR_PANEL_URL', 'ADMIN_PANEL_URL']] },
};

type GroupName = keyof typeof ESSENTIAL_GROUPS;

/** Maps the checklist's "Essential variables" lines onto groups. */
const GROUP_OF_LINE: Array<[RegExp, GroupName]> = [
  [/^NODE_ENV\b/i, 'node-env'],
  [/database credentials/i, 'database'],
  [/redis credentials/i, 'redis'],
  [/elasticsearch credentials/i, 'elasticsearch'],
  [/^JWT_SECRET\b/i, 'jwt-secret'],
  [/^ENCRYPTION_KEY\b/i, 'encryption-key'],
  [/razorpay production keys/i, 'razorpay'],
  [/aws credentials/i, 'aws'],
  [/email\/sms credentials/i, 'email-sms'],
  [/domain names/i, 'domains'],
];

export function judgeGroup(target: Target, name: string): FindingDetail {
  const group = ESSENTIAL_GROUPS[name];
  if (!group) return { subject: name, status: 'error', observed: 'unknown group' };
  let closestMissing: string[] | undefined;
  for (const alternative of group.anyOf) {
    const missing = alternative.filter((variable) => target.get(variable) === undefined && !passwordInUrl(target, variable));
    // "Razorpay production keys": a test key is set, but it is not a production key (razorpay.keys says more).
    if (missing.length === 0 && name === 'razorpay' && target.get('RAZORPAY_KEY_ID')?.startsWith('rzp_test_') && deploymentEnvironment(target).production) {
      return { subject: group.label, status: 'fail', observed: 'RAZORPAY_KEY_ID is a test key (rzp_test_), not a production key, and the run targets production (declare another with BAZAARHUB_ENVIRONMENT)' };
    }
    if (missing.length === 0) return { subject: group.label, status: 'pass', observed: `set (${alternative.join(', ')})` };
    if (!closestMissing || missing.length < closestMissing.length) closestMissing = missing;
  }
  return { subject: group.label, status: 'fail', observed: `missing ${closestMissing?.join(', ')}` };
}

/** ELASTICSEARCH_PASSWORD may instead ride in ELASTICSEARCH_URL's userinfo, as it does in a DSN. */
function passwordInUrl(target: Target, variable: string): boolean {
  const match = /^(ELASTICSEARCH)_(USERNAME|PASSWORD)$/.exec(variable);
  if (!match) return false;
  const url = target.first('ELASTICSEARCH_NODE', 'ELASTICSEARCH_URL')?.value;
  try {
    const parsed = url ? new URL(url) : undefined;
    return Boolean(match[2] === 'USERNAME' ? parsed?.username : parsed?.password);
  } catch {
    return false;
  }
}

export default defineProbe({
  id: 'env.required',
  title: 'Essential environment variables are set',
  description: 'Every essential variable from the checklist\'s "Environment Setup" block is set (database, Redis, Elasticsearch, secrets, Razorpay, AWS, email/SMS, domains).',
  params: z.object({
    groups: z.array(z.enum(Object.keys(ESSENTIAL_GROUPS) as [GroupName, ...GroupName[]])).default(Object.keys(ESSENTIAL_GROUPS) as GroupName[]),
  }),
  remediation: 'Copy .env.example to .env.production and set every listed variable.',
  suggests: [
    {
      match: /^(NODE_ENV\b.*|database credentials|redis credentials|elasticsearch credentials|JWT_SECRET\b.*|ENCRYPTION_KEY\b.*|razorpay production keys|aws credentials|email\/sms credentials|domain names)$/i,
      severity: 'high',
      params: (m) => ({ groups: GROUP_OF_LINE.filter(([pattern]) => pattern.test(m[0])).map(([, group]) => group).slice(0, 1) }),
    },
  ],
  async run(ctx, params) {
    return combine(
      params.groups.map((group) => judgeGroup(ctx.target, group)),
      `set: ${params.groups.map((group) => ESSENTIAL_GROUPS[group]?.label).join(', ')}`,
    );
  },
});
