import type { ProbeContext } from '../../src/engine/types.js';

/** The sending domain: the `domain` param, else the domain of SMTP_FROM_EMAIL (which may be `Name <addr>`). */
export function sendingDomain(ctx: ProbeContext, param: string): string | undefined {
  if (param) return param.toLowerCase().replace(/\.$/, '');
  const from = ctx.target.get('SMTP_FROM_EMAIL');
  const address = from ? (/<([^>]+)>/.exec(from)?.[1] ?? from).trim() : undefined;
  const domain = address?.split('@')[1];
  return domain ? domain.toLowerCase().replace(/\.$/, '') : undefined;
}

export const NO_DOMAIN = 'no sending domain: set SMTP_FROM_EMAIL (or the domain param)';

/** The organisational domain, approximately: the last two labels (three under a two-letter second level such as co.in). */
export function organisationalDomain(domain: string): string {
  const labels = domain.split('.');
  const keep = labels.length >= 3 && /^(co|com|net|org|gov|ac|edu|gen|firm|ind)$/.test(labels.at(-2) ?? '') && (labels.at(-1) ?? '').length === 2 ? 3 : 2;
  return labels.slice(-keep).join('.');
}
