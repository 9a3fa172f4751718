import { generateKeyPairSync } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { StandIn } from '../demo/standin.js';

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP, RFC 1035 wire format) for tests and the demo:
 * answers A, AAAA and CNAME from a zone table (following one CNAME inside the zone, as real
 * servers do), NXDOMAIN for names it does not know, an empty NOERROR answer for a known name
 * without records of the asked type. Never recursive, never forwards.
 */
export interface ZoneRecord {
  A?: string[];
  AAAA?: string[];
  CNAME?: string;
  /** TXT records, each one string (split into 255-byte chunks on the wire). */
  TXT?: string[];
  CAA?: Array<{ flags?: number; tag: string; value: string }>;
  MX?: Array<{ priority: number; exchange: string }>;
}

export type Zone = Record<string, ZoneRecord>;

export interface RunningDns {
  /** `127.0.0.1:port`, as Resolver.setServers takes it. */
  server: string;
  /** Questions received, `name TYPE`, for assertions. */
  questions: string[];
  /** The client sockets (`address:port`) the questions came from, one entry per question. */
  senders: string[];
  close(): Promise<void>;
}

const TYPE = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28, CAA: 257 } as const;
const TYPE_NAME: Record<number, string> = { 1: 'A', 5: 'CNAME', 15: 'MX', 16: 'TXT', 28: 'AAAA', 257: 'CAA' };

function readName(message: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let position = offset;
  for (let guard = 0; guard < 128; guard += 1) {
    const length = message[position];
    if (length === undefined) throw new Error('truncated name');
    if (length === 0) return { name: labels.join('.').toLowerCase(), next: position + 1 };
    if ((length & 0xc0) !== 0) throw new Error('compressed question names are not supported');
    labels.push(message.subarray(position + 1, position + 1 + length).toString('ascii'));
    position += 1 + length;
  }
  throw new Error('name too long');
}

function writeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(parseInt(group || '0', 16), index * 2));
  return bytes;
}

function txtData(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length || chunks.length === 0; offset += 255) {
    const chunk = bytes.subarray(offset, offset + 255);
    chunks.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(chunks);
}

function record(name: string, type: number, data: Buffer, ttl = 60): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([writeName(name), fixed, data]);
}

function recordsOf(zone: Zone, name: string, type: number): Buffer[] {
  const entry = zone[name];
  if (!entry) return [];
  if (type === TYPE.A) return (entry.A ?? []).map((ip) => record(name, TYPE.A, Buffer.from(ip.split('.').map(Number))));
  if (type === TYPE.AAAA) return (entry.AAAA ?? []).map((ip) => record(name, TYPE.AAAA, ipv6Bytes(ip)));
  if (type === TYPE.TXT) return (entry.TXT ?? []).map((text) => record(name, TYPE.TXT, txtData(text)));
  if (type === TYPE.CAA) {
    return (entry.CAA ?? []).map((caa) => record(name, TYPE.CAA, Buffer.concat([Buffer.from([caa.flags ?? 0, caa.tag.length]), Buffer.from(caa.tag, 'ascii'), Buffer.from(caa.value, 'utf8')])));
  }
  if (type === TYPE.MX) {
    return (entry.MX ?? []).map((mx) => {
      const priority = Buffer.alloc(2);
      priority.writeUInt16BE(mx.priority);
      return record(name, TYPE.MX, Buffer.concat([priority, writeName(mx.exchange)]));
    });
  }
  return [];
}

export function answer(zone: Zone, query: Buffer): { response: Buffer; question: string } {
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  const { name, next } = readName(query, 12);
  const type = query.readUInt16BE(next);
  const question = query.subarray(12, next + 4);
  const answers: Buffer[] = [];
  const entry = zone[name];
  const rcode = entry ? 0 : 3;
  if (entry?.CNAME) {
    const target = entry.CNAME.toLowerCase();
    answers.push(record(name, TYPE.CNAME, writeName(target)));
    if (type !== TYPE.CNAME) answers.push(...recordsOf(zone, target, type));
  } else if (entry) {
    answers.push(...recordsOf(zone, name, type));
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  // QR, opcode 0, AA, RD copied from the query, RA, and the rcode.
  header.writeUInt16BE(0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return { response: Buffer.concat([header, question, ...answers]), question: `${name} ${TYPE_NAME[type] ?? type}` };
}

export async function startDnsServer(zone: Zone): Promise<RunningDns> {
  const normalised: Zone = Object.fromEntries(Object.entries(zone).map(([name, entry]) => [name.toLowerCase().replace(/\.$/, ''), entry]));
  const socket = createSocket('udp4');
  const questions: string[] = [];
  const senders: string[] = [];
  socket.on('message', (message: Buffer, remote: RemoteInfo) => {
    try {
      const { response, question } = answer(normalised, message);
      questions.push(question);
      senders.push(`${remote.address}:${remote.port}`);
      socket.send(response, remote.port, remote.address);
    } catch {
      // A malformed query gets no answer, as from a server that dropped it.
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address() as AddressInfo;
  return { server: `127.0.0.1:${port}`, questions, senders, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** The public key of a fresh 2048-bit RSA pair as a DKIM p= value (base64 SPKI). */
export function dkimPublicKey(bits = 2048): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return publicKey.toString('base64');
}

/**
 * The demo's DNS for its sending domain (SMTP_FROM_EMAIL noreply@bazaarhub.example): SPF through
 * one include, a DKIM key at selector bh1, and DMARC still at p=none (the common first-week mistake).
 */
export const dnsStandIn: StandIn = {
  name: 'dns',
  async start() {
    const dns = await startDnsServer({
      'bazaarhub.example': { TXT: ['v=spf1 include:_spf.mailer.bazaarhub.example ~all', 'google-site-verification=demo'] },
      '_spf.mailer.bazaarhub.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
      'bh1._domainkey.bazaarhub.example': { TXT: [`v=DKIM1; k=rsa; p=${dkimPublicKey()}`] },
      '_dmarc.bazaarhub.example': { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@bazaarhub.example'] },
    });
    return { name: 'dns', env: { DNS_RESOLVER: dns.server, DKIM_SELECTOR: 'bh1' }, note: `DNS (SPF, DKIM, DMARC of bazaarhub.example) at ${dns.server}`, close: dns.close };
  },
};
