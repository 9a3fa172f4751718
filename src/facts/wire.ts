import dc from 'node:diagnostics_channel';
import { isIP, type Socket } from 'node:net';
import { byCodeUnit } from '../util/order.js';

/**
 * What a run sent to the deployment, per target (host:port): connections opened, TLS handshakes
 * started, and requests (HTTP requests; for other protocols the requests our facts layer makes:
 * SQL queries, Redis commands, SMTP sessions, DNS queries).
 *
 * Ground truth comes from Node's diagnostics channels, so SDK traffic is counted without trusting
 * each facts module: `http.client.request.start` (node:http/https: our own requests and the AWS
 * SDK's), undici's `undici:request:create` / `undici:client:connected` /
 * `undici:client:connectError` (Node's fetch, and any undici-based client) and `net.client.socket` (every socket
 * made with net.connect: ioredis and nodemailer without TLS, raw TCP and TLS-detail sockets).
 * Only the client side is observed: the demo's in-process stand-ins (servers) are not counted.
 *
 * Node 20 publishes no channel for TLS, for sockets connected with `new net.Socket().connect()`
 * (pg), for c-ares DNS queries, or for non-HTTP requests: those are counted by the facts layer
 * (`countWire`), at the call that sends them, retries included. Traffic of child processes (git,
 * npm audit, the command probe) is not the tool's own stack and is not counted.
 */

export interface WireCounts {
  connections: number;
  handshakes: number;
  requests: number;
}

export interface TargetCost extends WireCounts {
  /** host:port (IPv6 in brackets). */
  target: string;
  /** What went there, e.g. https, tls, postgres, redis, smtp, dns, tcp. */
  protocols: string[];
  /** The deployment's variables that point at this target (APP_URL, DATABASE_URL, ...), when any do. */
  names?: string[];
}

export interface WireSummary {
  targets: TargetCost[];
  totals: WireCounts;
}

export function endpointOf(host: string, port: number | string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  // A Unix-domain socket directory (pg's host=/run/postgresql) keeps its case. Only an address with
  // a colon can be IPv6: isIP compiles Node's IPv6 pattern on first use (3.5 ms of every start-up).
  return `${bare.includes(':') && isIP(bare) === 6 ? `[${bare}]` : bare.startsWith('/') ? bare : bare.toLowerCase()}:${port}`;
}

const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** A socket made with net.connect, attributed when the meter stops unless an HTTP client claimed it. */
interface SocketRecord {
  target?: string;
  claimed: boolean;
}

export class WireMeter {
  private readonly targets = new Map<string, WireCounts & { protocols: Set<string> }>();
  private readonly sockets = new WeakMap<object, SocketRecord>();
  private readonly unclaimed: SocketRecord[] = [];
  private stopped = false;

  add(protocol: string, target: string, counts: Partial<WireCounts>): void {
    if (this.stopped) return;
    const row = this.targets.get(target) ?? { connections: 0, handshakes: 0, requests: 0, protocols: new Set<string>() };
    row.connections += counts.connections ?? 0;
    row.handshakes += counts.handshakes ?? 0;
    row.requests += counts.requests ?? 0;
    row.protocols.add(protocol);
    this.targets.set(target, row);
  }

  /** A socket from net.connect: its target is its first connection attempt (or the name it looked up). */
  onNetSocket(socket: Socket): void {
    if (this.stopped || this.sockets.has(socket)) return;
    const record: SocketRecord = { claimed: false };
    this.sockets.set(socket, record);
    this.unclaimed.push(record);
    let host: string | undefined;
    socket.once('lookup', (_error: unknown, _address: unknown, _family: unknown, name: string) => (host = name));
    // One socket is one connection, however many addresses happy eyeballs tried for it.
    socket.once('connectionAttempt', (ip: string, port: number) => (record.target = endpointOf(host ?? ip, port)));
  }

  /** A socket an HTTP client used: a new one is a connection (and, over TLS, a handshake once TCP is up). */
  claim(socket: Socket | null | undefined, protocol: string, target: string): void {
    if (this.stopped) return;
    if (!socket) return this.add(protocol, target, { connections: 1 });
    const known = this.sockets.get(socket);
    if (known?.claimed) return;
    if (known) known.claimed = true;
    else this.sockets.set(socket, { claimed: true, target });
    this.add(protocol, target, { connections: 1 });
    if ((socket as Socket & { encrypted?: boolean }).encrypted) {
      if (!socket.connecting && !socket.destroyed) this.add(protocol, target, { handshakes: 1 });
      else socket.once('connect', () => this.add(protocol, target, { handshakes: 1 }));
    }
  }

  summary(): WireSummary {
    const rows = new Map(this.targets);
    for (const record of this.unclaimed) {
      if (record.claimed || !record.target) continue;
      const row = rows.get(record.target) ?? { connections: 0, handshakes: 0, requests: 0, protocols: new Set<string>() };
      rows.set(record.target, { ...row, connections: row.connections + 1, protocols: new Set([...row.protocols, 'tcp']) });
    }
    const targets = [...rows].map(([target, row]) => ({ target, connections: row.connections, handshakes: row.handshakes, requests: row.requests, protocols: [...row.protocols].sort() })).sort((a, b) => byCodeUnit(a.target, b.target));
    const totals = targets.reduce((sum, row) => ({ connections: sum.connections + row.connections, handshakes: sum.handshakes + row.handshakes, requests: sum.requests + row.requests }), { connections: 0, handshakes: 0, requests: 0 });
    return { targets, totals };
  }

  /** Stops counting and returns what was counted. */
  stop(): WireSummary {
    const summary = this.summary();
    this.stopped = true;
    active.delete(this);
    if (active.size === 0) unsubscribe();
    return summary;
  }
}

const active = new Set<WireMeter>();

/** Starts counting this process's client traffic until `stop()`. */
export function startWireMeter(): WireMeter {
  const meter = new WireMeter();
  if (active.size === 0) subscribe();
  active.add(meter);
  return meter;
}

/**
 * Facts-layer counting, for what no diagnostics channel shows (see the module comment). Call it
 * where the traffic is sent, so every retry is counted.
 */
export function countWire(protocol: string, target: string, counts: Partial<WireCounts>): void {
  for (const meter of active) meter.add(protocol, target, counts);
}

type Listener = (message: unknown) => void;

const onNetSocket: Listener = (message) => {
  const { socket } = message as { socket: Socket };
  for (const meter of active) meter.onNetSocket(socket);
};

const onHttpRequest: Listener = (message) => {
  const { request } = message as { request: { protocol?: string; host?: string; socket?: Socket | null; getHeader(name: string): unknown; once(event: 'socket', listener: (socket: Socket) => void): void } };
  const protocol = request.protocol ?? 'http:';
  const target = httpTarget(protocol, request.host ?? 'localhost', String(request.getHeader('host') ?? ''));
  const name = protocol.replace(/:$/, '');
  for (const meter of active) {
    meter.add(name, target, { requests: 1 });
    if (request.socket) meter.claim(request.socket, name, target);
    else request.once('socket', (socket) => meter.claim(socket, name, target));
  }
};

/** host:port of an HTTP request: the port from its Host header when that names the same host, else the protocol's default. */
function httpTarget(protocol: string, host: string, hostHeader: string): string {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const port = match && match[1]?.replace(/^\[|\]$/g, '').toLowerCase() === bare && match[2] ? match[2] : String(DEFAULT_PORT[protocol] ?? 80);
  return endpointOf(bare, port);
}

function urlTarget(origin: string | URL): { protocol: string; target: string } | undefined {
  try {
    const url = typeof origin === 'string' ? new URL(origin) : origin;
    return { protocol: url.protocol.replace(/:$/, ''), target: endpointOf(url.hostname, url.port || (DEFAULT_PORT[url.protocol] ?? 80)) };
  } catch {
    return undefined;
  }
}

const onUndiciRequest: Listener = (message) => {
  const { request } = message as { request: { origin?: string | URL } };
  const where = request.origin !== undefined ? urlTarget(request.origin) : undefined;
  if (where) countWire(where.protocol, where.target, { requests: 1 });
};

interface UndiciConnect {
  connectParams?: { protocol?: string; hostname?: string; host?: string; port?: string | number };
  socket?: Socket;
}

function undiciTarget(params: UndiciConnect['connectParams']): { protocol: string; target: string } | undefined {
  if (!params?.hostname) return undefined;
  const protocol = params.protocol ?? 'http:';
  return { protocol: protocol.replace(/:$/, ''), target: endpointOf(params.hostname, params.port || (DEFAULT_PORT[protocol] ?? 80)) };
}

const onUndiciConnected: Listener = (message) => {
  const { connectParams, socket } = message as UndiciConnect;
  const where = undiciTarget(connectParams);
  if (where) for (const meter of active) meter.claim(socket, where.protocol, where.target);
};

const onUndiciConnectError: Listener = (message) => {
  const { connectParams, socket } = message as UndiciConnect;
  const where = undiciTarget(connectParams);
  // A failed attempt is still a connection opened towards the target; no handshake is assumed.
  if (where) for (const meter of active) (socket ? meter.claim(socket, where.protocol, where.target) : meter.add(where.protocol, where.target, { connections: 1 }));
};

const CHANNELS: Array<[string, Listener]> = [
  ['net.client.socket', onNetSocket],
  ['http.client.request.start', onHttpRequest],
  ['undici:request:create', onUndiciRequest],
  ['undici:client:connected', onUndiciConnected],
  ['undici:client:connectError', onUndiciConnectError],
];

function subscribe(): void {
  for (const [name, listener] of CHANNELS) dc.subscribe(name, listener);
}

function unsubscribe(): void {
  for (const [name, listener] of CHANNELS) dc.unsubscribe(name, listener);
}

/** host:port of the first server a resolver asks (`1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`). */
export function dnsServerOf(resolver: { getServers(): string[] }): string {
  const server = resolver.getServers()[0] ?? 'system';
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(server) ?? /^([^:]+)(?::(\d+))?$/.exec(server);
  return match ? endpointOf(match[1] as string, match[2] ?? 53) : server;
}

const SCHEME_PORT: Record<string, number> = { 'http:': 80, 'https:': 443, 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379, 'rediss:': 6379, 'smtp:': 25, 'smtps:': 465 };

/**
 * Names each target after the variables that point at it (APP_URL, DATABASE_URL, SMTP_HOST with
 * SMTP_PORT, ...), so a reader can tell which service a host:port is. Values are never shown.
 */
export function nameTargets(summary: WireSummary, target: { names(): string[]; get(name: string): string | undefined } | undefined): WireSummary {
  if (!target) return summary;
  const byEndpoint = new Map<string, string[]>();
  const add = (endpoint: string, name: string) => byEndpoint.set(endpoint, [...(byEndpoint.get(endpoint) ?? []), name]);
  for (const name of target.names()) {
    const value = target.get(name)?.trim();
    if (!value) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      try {
        const url = new URL(value);
        const port = url.port || SCHEME_PORT[url.protocol];
        if (url.hostname && port) add(endpointOf(url.hostname, port), name);
      } catch {
        // Not a URL: nothing to name.
      }
      continue;
    }
    const hostPort = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d+)$/i.exec(value);
    if (hostPort) {
      add(endpointOf(hostPort[1] as string, hostPort[2] as string), name);
      continue;
    }
    const host = /^(.*)_HOST$/.exec(name);
    const port = host ? target.get(`${host[1]}_PORT`) : undefined;
    if (host && port && /^\d+$/.test(port.trim())) add(endpointOf(value, port.trim()), name);
  }
  return { ...summary, targets: summary.targets.map((row) => (byEndpoint.has(row.target) ? { ...row, names: [...new Set(byEndpoint.get(row.target))].sort() } : row)) };
}
