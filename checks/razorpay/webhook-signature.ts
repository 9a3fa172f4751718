import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail, type ProbeStatus } from '../../src/engine/types.js';
import { PROBE_EVENT, WEBHOOK_CASES, WEBHOOK_SENT, webhookAnswers, type WebhookAnswer, type WebhookCaseName } from '../../src/facts/razorpay.js';

const VERIFY_RAW =
  'Verify every delivery with Razorpay.validateWebhookSignature(rawBody, req.headers["x-razorpay-signature"], RAZORPAY_WEBHOOK_SECRET) over the raw request bytes (e.g. express.raw({ type: "application/json" }) on the webhook route), answer 400 when it does not match, and 200 to correctly signed events whatever their type.';
const RAW_NOT_RESERIALISED =
  'Verify the signature over the raw request body as received (express.raw({ type: "application/json" }) on the webhook route, or the rawBody kept by express.json({ verify })), not over JSON.stringify(req.body): Razorpay signs the bytes it sends, and any delivery whose bytes differ from the re-serialisation (spacing, key order, number or unicode escapes) would be refused and never processed.';

const is2xx = (status: number) => status >= 200 && status < 300;
const is4xx = (status: number) => status >= 400 && status < 500;
const FORGED: readonly WebhookCaseName[] = ['wrong-signature', 'unsigned', 'replayed-signature'];

function label(name: WebhookCaseName): string {
  return WEBHOOK_CASES.find((spec) => spec.name === name)?.label ?? name;
}

function bodyExcerpt(body: string | undefined): string {
  const text = (body ?? '').replace(/\s+/g, ' ').trim();
  return text === '' ? '' : ` ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

interface Verdict {
  status: ProbeStatus;
  reason: string;
  remediation?: string;
}

/**
 * Signature enforcement, judged only from the contrast between answers to the same harmless event:
 * a route that enforces signatures answers 2xx to the correctly signed deliveries and 4xx to the
 * forged ones. Where the answers give no contrast, the verdict is `warn` with the reason, never a guess.
 */
export function verdictOf(answers: WebhookAnswer[]): Verdict {
  const byName = new Map(answers.map((answer) => [answer.name, answer]));
  const failed = answers.filter((answer) => answer.error !== undefined);
  if (failed.length > 0 || answers.length < WEBHOOK_CASES.length) {
    const first = failed[0];
    return { status: 'error', reason: first ? `no answer to the delivery with ${label(first.name)}: ${first.error}` : 'not every delivery was sent' };
  }
  const status = (name: WebhookCaseName) => byName.get(name)?.status as number;
  const signed = status('signed');
  const respaced = status('respaced');
  const forged = FORGED.map((name) => ({ name, status: status(name) }));
  const accepted = forged.filter((answer) => is2xx(answer.status));
  const all = answers.map((answer) => answer.status as number);

  const codes = [...new Set(all)].join('/');
  if (all.every((value) => value === signed) && [404, 405, 410].includes(signed)) {
    return { status: 'fail', reason: `no webhook route here: every delivery answered ${signed}`, remediation: 'Point RAZORPAY_WEBHOOK_URL (or the param url) at the route Razorpay is configured to call (BazaarHub: POST /api/payment/webhook), and configure the same URL in the Razorpay Dashboard (Settings → Webhooks).' };
  }
  if (all.every(is2xx)) {
    return {
      status: 'warn',
      reason: `every delivery answered ${codes}, the forged ones too: a route that verifies nothing answers so, and so does one that verifies and quietly acknowledges forgeries; from outside the two cannot be told apart`,
      remediation: `Make sure the handler verifies the signature before acting. ${VERIFY_RAW} A route that answers 400 to a bad signature lets this check see the enforcement; otherwise attest it by code review.`,
    };
  }
  if (all.every((value) => value === signed) && is4xx(signed) && signed !== 400 && new Set(answers.map((answer) => answer.body ?? '')).size === 1) {
    // 403 from an IP allowlist (Razorpay's addresses only), 401 from an auth proxy, 429: refused before any signature is read.
    return {
      status: 'warn',
      reason: `every delivery got the same answer (${signed}${bodyExcerpt(answers[0]?.body)}): something refuses the probe before a signature is looked at (an IP allowlist for Razorpay's addresses does this), so enforcement cannot be judged from here`,
      remediation: 'Run this check from an address the webhook route accepts, or attest signature verification by code review.',
    };
  }
  if (all.every((value) => value === signed) && !is4xx(signed)) {
    return { status: 'warn', reason: `every delivery answered ${signed}: nothing to contrast, so signature enforcement cannot be judged (is something in front of the route answering for it?)` };
  }
  if (accepted.length > 0) {
    const refused = forged.filter((answer) => !is2xx(answer.status)).map((answer) => `${label(answer.name)}: ${answer.status}`);
    if (!is2xx(signed)) refused.push(`correctly signed: ${signed}`);
    return {
      status: 'fail',
      reason: `accepted deliveries Razorpay cannot have sent (${accepted.map((answer) => `${label(answer.name)}: ${answer.status}`).join(', ')}) while it refused others (${refused.join(', ')})`,
      remediation: VERIFY_RAW,
    };
  }

  if (is2xx(signed)) {
    const refusedOddly = forged.filter((answer) => !is4xx(answer.status));
    if (refusedOddly.length > 0) {
      return {
        status: 'warn',
        reason: `refused forged deliveries, but not with 4xx (${refusedOddly.map((answer) => `${label(answer.name)}: ${answer.status}`).join(', ')})`,
        remediation: 'Catch the verification failure and answer 400: a 5xx or a redirect on a bad signature is an unhandled error path.',
      };
    }
    if (is2xx(respaced)) return { status: 'pass', reason: `verifies signatures over the raw body: correctly signed deliveries answered ${signed}/${respaced}, forged ones ${forged.map((answer) => answer.status).join('/')}` };
    if (is4xx(respaced)) {
      return {
        status: 'warn',
        reason: `refused the correctly signed delivery whose JSON is only re-spaced (${respaced}) while it accepted the compact one (${signed}): the route verifies re-serialised JSON, not the bytes Razorpay signs`,
        remediation: RAW_NOT_RESERIALISED,
      };
    }
    return { status: 'warn', reason: `answered ${respaced} to the correctly signed re-spaced delivery (compact: ${signed})`, remediation: RAW_NOT_RESERIALISED };
  }

  if (is4xx(signed) && forged.every((answer) => is4xx(answer.status))) {
    const wrong = byName.get('wrong-signature') as WebhookAnswer;
    const signedAnswer = byName.get('signed') as WebhookAnswer;
    if (wrong.status === signed && (wrong.body ?? '') === (signedAnswer.body ?? '')) {
      return {
        status: 'fail',
        reason: `refused the correctly signed delivery exactly as it refused a wrong signature (${signed}${bodyExcerpt(signedAnswer.body)}): it does not accept signatures made with RAZORPAY_WEBHOOK_SECRET, so Razorpay's real deliveries are refused too`,
        remediation: 'Set RAZORPAY_WEBHOOK_SECRET to the secret configured for this webhook in the Razorpay Dashboard (Settings → Webhooks), on the server and in the env file this check reads, and verify the raw request body (not re-serialised JSON).',
      };
    }
    return {
      status: 'warn',
      reason: `refused the correctly signed delivery (${signed}${bodyExcerpt(signedAnswer.body)}), but not as it refused a wrong signature (${wrong.status}${bodyExcerpt(wrong.body)}): it may refuse event types it does not handle (${PROBE_EVENT}), so whether it enforces signatures cannot be told`,
      remediation: 'Answer 200 to correctly signed events of types the handler does not process (Razorpay retries, then disables, a webhook that keeps failing), which also lets this check see the enforcement.',
    };
  }
  return { status: 'warn', reason: `answered ${signed} to the correctly signed delivery and ${forged.map((answer) => answer.status).join('/')} to the forged ones: no contrast that shows whether signatures are enforced` };
}

/** One detail per delivery: what it was, what it got, and whether that is what an enforcing route answers. */
export function judgeWebhook(answers: WebhookAnswer[], verdict: ProbeStatus = verdictOf(answers).status): FindingDetail[] {
  return WEBHOOK_CASES.map((spec) => {
    const answer = answers.find((candidate) => candidate.name === spec.name);
    if (!answer) return { subject: spec.label, status: 'error', observed: 'not sent' };
    if (answer.error !== undefined) return { subject: spec.label, status: 'error', observed: `no answer (${answer.error})` };
    const status = answer.status as number;
    const ok = spec.expect === '2xx' ? is2xx(status) : is4xx(status);
    return { subject: spec.label, status: ok ? 'pass' : verdict === 'pass' ? 'warn' : verdict, observed: `answered ${status} (an enforcing route: ${spec.expect})` };
  });
}

export function findingOf(answers: WebhookAnswer[], where: string): Finding {
  const verdict = verdictOf(answers);
  const details = judgeWebhook(answers, verdict.status);
  const answered = details.map((detail) => `${detail.subject}: ${detail.observed.replace(/ \(an enforcing route: .*\)$/, '')}`).join(', ');
  return {
    status: verdict.status,
    observed: `${verdict.reason}. Sent ${where} ${WEBHOOK_CASES.length} ${WEBHOOK_SENT}: ${answered}`,
    expected: 'correctly signed deliveries of an unhandled event → 2xx (also when the JSON is re-spaced); wrong, missing or another body\'s signature → 4xx',
    details,
    ...(verdict.remediation ? { remediation: verdict.remediation } : {}),
  };
}

export default defineProbe({
  id: 'razorpay.webhook-signature',
  sends: { to: 'the deployment\'s Razorpay webhook route (RAZORPAY_WEBHOOK_URL or url)', what: 'POSTs of a webhook event: one correctly signed with RAZORPAY_WEBHOOK_SECRET, one with a wrong signature, one with none, one with a signature over a different body', effect: 'a correctly signed delivery is accepted by the route; see the finding for the event type it carries' },
  title: 'Razorpay webhook route verifies X-Razorpay-Signature',
  description: `Sends the deployment's Razorpay webhook route five POSTs of a made-up event no application handles (${PROBE_EVENT}, an account id in no Razorpay format, no payment, order or refund entity), so nothing is processed even by a route that verifies nothing: signed with RAZORPAY_WEBHOOK_SECRET (compact, and re-spaced), with a wrong signature, with none, and with another body's signature. Enforcement is judged from the contrast (2xx signed, 4xx forged); a route that answers the same to all gets a warn with the reason. Signatures are made as the razorpay SDK's validateWebhookSignature checks them (hex HMAC-SHA256 of the raw body).`,
  params: z.object({
    /** The webhook route, e.g. https://api.example.in/api/payment/webhook; default RAZORPAY_WEBHOOK_URL. There is no universal path. */
    url: z.string().default(''),
  }),
  remediation: VERIFY_RAW,
  deliberate: {
    requests: WEBHOOK_CASES.length,
    per: 'webhook URL',
    plan: (params, ctx) => {
      const url = params.url || ctx.target.get('RAZORPAY_WEBHOOK_URL');
      return url && ctx.target.get('RAZORPAY_WEBHOOK_SECRET') ? [{ key: `razorpay-webhook ${url}`, requests: WEBHOOK_CASES.length }] : [];
    },
  },
  suggests: [{ match: /razorpay webhook/i, severity: 'critical' }],
  async run(ctx, params): Promise<Finding> {
    const expected = 'signed event → 2xx; wrong, missing or replayed signature → 4xx';
    const url = params.url || ctx.target.get('RAZORPAY_WEBHOOK_URL');
    if (!url) return { status: 'skipped', observed: 'no webhook URL: set RAZORPAY_WEBHOOK_URL or the catalog param url', expected };
    const secret = ctx.target.get('RAZORPAY_WEBHOOK_SECRET');
    if (!secret) return { status: 'skipped', observed: 'RAZORPAY_WEBHOOK_SECRET is not set', expected };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return { status: 'error', observed: 'the webhook URL is not a valid URL', expected };
    }
    return findingOf(await webhookAnswers(ctx, target, secret), `${target.origin}${target.pathname}`);
  },
});
