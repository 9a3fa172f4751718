import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { tcpConnect } from '../../src/facts/tcp.js';
import { expand } from './expect.js';

export default defineProbe({
  id: 'tcp.port',
  sends: { to: 'the host and port in params', what: 'one TCP connect, closed at once; nothing is written', effect: 'none' },
  title: 'A TCP port accepts, or refuses, connections',
  description: 'Opens one TCP connection (sending nothing) to host:port. `expect: open` passes when it is accepted; `expect: closed` passes when it is refused or gets no answer (filtered), e.g. "Redis is not reachable from the internet". The host defaults to the host of APP_URL, the public address.',
  params: z.object({
    /** A host name or IP; may use `${VAR.host}`. Empty: the host of APP_URL. */
    host: z.string().default(''),
    port: z.number().int().min(1).max(65_535),
    expect: z.enum(['open', 'closed']).default('open'),
  }),
  remediation: 'Open or close the port in the firewall / security group (or bind the service to a private interface), then re-run.',
  suggests: [
    { match: /\bport\s+(\d{2,5})\b.*\b(?:not (?:public|publicly|exposed|reachable|open)|closed|blocked|firewalled)\b/i, params: (m) => ({ port: Number(m[1]), expect: 'closed' }), severity: 'critical' },
    { match: /\b(?:not (?:public|exposed|reachable)|closed|blocked)\b.*\bport\s+(\d{2,5})\b/i, params: (m) => ({ port: Number(m[1]), expect: 'closed' }), severity: 'critical' },
    { match: /\bport\s+(\d{2,5})\b.*\b(?:open|reachable|accepts?|listening)\b/i, params: (m) => ({ port: Number(m[1]), expect: 'open' }) },
  ],
  async run(ctx, p): Promise<Finding> {
    let host = p.host;
    if (host) {
      const expanded = expand(host, ctx.target);
      if ('missing' in expanded) return { status: 'skipped', observed: `${expanded.missing} is not set`, expected: `port ${p.port} ${p.expect}` };
      host = expanded.value;
    } else {
      const api = ctx.target.services().find((service) => service.name === 'api');
      if (!api) return { status: 'skipped', observed: 'no host: set APP_URL or the `host` param', expected: `port ${p.port} ${p.expect}` };
      host = api.url.hostname.replace(/^\[|\]$/g, '');
    }
    const where = `${host}:${p.port}`;
    const expected = p.expect === 'open' ? `${where} accepts a TCP connection` : `${where} refuses connections or does not answer`;
    const seen = await tcpConnect(ctx, host, p.port);
    switch (seen.outcome) {
      case 'accepted':
        return p.expect === 'open' ? { status: 'pass', observed: `${where} accepted a connection in ${Math.round(seen.ms)} ms`, expected } : { status: 'fail', observed: `${where} accepted a connection: the port is reachable from here`, expected };
      case 'refused':
      case 'silent':
        return p.expect === 'closed' ? { status: 'pass', observed: `${where}: ${seen.reason}`, expected } : { status: 'fail', observed: `${where}: ${seen.reason}`, expected };
      default:
        return { status: 'error', observed: `${where}: ${seen.reason}`, expected };
    }
  },
});
