import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { RAZORPAY_API_URL, razorpayAuth, type RazorpayAuthFact } from '../../src/facts/razorpay.js';
import { deploymentEnvironment, ENVIRONMENT_VARIABLE, type DeploymentEnvironment } from '../../src/target/environment.js';

export type KeyKind = 'live' | 'test' | 'unrecognised';

/** The kind of a key id, from its prefix only: the value itself never leaves this function. */
export function keyKind(keyId: string): KeyKind {
  if (keyId.startsWith('rzp_live_')) return 'live';
  if (keyId.startsWith('rzp_test_')) return 'test';
  return 'unrecognised';
}

const KIND_LABEL: Record<KeyKind, string> = { live: 'a live key (rzp_live_)', test: 'a test key (rzp_test_)', unrecognised: 'not a Razorpay key id (neither rzp_live_ nor rzp_test_)' };

/**
 * A test key fails wherever a live one is required. `environment` says why it is (or is not)
 * required, and `nodeEnv` is named when it disagrees, so nobody reads NODE_ENV as the reason.
 */
export function judgeKind(kind: KeyKind, liveRequired: boolean, environment?: DeploymentEnvironment, nodeEnv?: string): FindingDetail {
  const subject = 'RAZORPAY_KEY_ID';
  if (kind === 'unrecognised') return { subject, status: 'fail', observed: KIND_LABEL[kind] };
  if (kind === 'test' && liveRequired) {
    const why = environment?.declaredBy ? ` (declared by ${environment.declaredBy})` : environment ? ` (no ${ENVIRONMENT_VARIABLE} or environment param declares a non-production run)` : '';
    const node = nodeEnv !== undefined && nodeEnv !== 'production' ? `; NODE_ENV=${nodeEnv} does not make it non-production, it is a fault of its own` : '';
    return { subject, status: 'fail', observed: `${KIND_LABEL[kind]} in production${why}${node}` };
  }
  if (kind === 'test' && environment && !environment.production) return { subject, status: 'pass', observed: `${KIND_LABEL[kind]}, accepted in the ${environment.name} environment (declared by ${environment.declaredBy ?? 'the run'})` };
  return { subject, status: 'pass', observed: KIND_LABEL[kind] };
}

export function judgeAuth(fact: RazorpayAuthFact, apiOrigin: string): FindingDetail {
  const subject = 'key pair';
  if (fact.error !== undefined) return { subject, status: 'error', observed: `no answer from ${apiOrigin}: ${fact.error}` };
  const reason = [fact.errorCode, fact.errorDescription].filter(Boolean).join(': ');
  if (fact.status === 200) return { subject, status: 'pass', observed: `authenticated against ${apiOrigin} (GET /v1/payments answered 200)` };
  if (fact.status === 401) return { subject, status: 'fail', observed: `rejected by ${apiOrigin} (401${reason ? ` ${reason}` : ''})` };
  return { subject, status: 'error', observed: `${apiOrigin} answered ${fact.status}${reason ? ` ${reason}` : ''}` };
}

export default defineProbe({
  id: 'razorpay.keys',
  title: 'Razorpay keys are live production keys that authenticate',
  description:
    'RAZORPAY_KEY_ID is a live key (rzp_live_) unless the run targets an environment declared non-production (BAZAARHUB_ENVIRONMENT=staging, or the environment param; NODE_ENV does not count), and the key id/secret pair authenticates against the Razorpay API with a harmless read (GET /v1/payments?count=1).',
  params: z.object({
    /** Razorpay API base URL; default RAZORPAY_API_URL, then https://api.razorpay.com. */
    apiUrl: z.string().default(''),
    /** auto: live keys required unless the environment is declared non-production; live: always; any: either kind. */
    mode: z.enum(['auto', 'live', 'any']).default('auto'),
    /** The environment this run targets (e.g. staging); default BAZAARHUB_ENVIRONMENT, then production. */
    environment: z.string().default(''),
  }),
  remediation:
    'Generate live API keys in the Razorpay Dashboard (Account & Settings → API Keys, in Live mode) and set RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET in .env.production.',
  suggests: [
    { match: /razorpay account/i, severity: 'critical' },
  ],
  async run(ctx, params): Promise<Finding> {
    const keyId = ctx.target.get('RAZORPAY_KEY_ID');
    const keySecret = ctx.target.get('RAZORPAY_KEY_SECRET');
    const environment = deploymentEnvironment(ctx.target, params.environment);
    const liveRequired = params.mode === 'live' || (params.mode === 'auto' && environment.production);
    const expected = `${liveRequired ? 'a live key (rzp_live_)' : 'a Razorpay key'} whose key id/secret pair authenticates against the Razorpay API`;
    if (!keyId) return { status: 'skipped', observed: 'RAZORPAY_KEY_ID is not set', expected };
    const kind = judgeKind(keyKind(keyId), liveRequired, params.mode === 'auto' ? environment : undefined, ctx.target.get('NODE_ENV'));
    if (!keySecret) return combine([kind, { subject: 'RAZORPAY_KEY_SECRET', status: 'fail', observed: 'not set' }], expected);
    const apiUrl = params.apiUrl || ctx.target.get('RAZORPAY_API_URL') || RAZORPAY_API_URL;
    const auth = judgeAuth(await razorpayAuth(ctx, apiUrl, keyId, keySecret), new URL(apiUrl).origin);
    return combine([kind, auth], expected);
  },
});
