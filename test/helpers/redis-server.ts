/**
 * The Redis fixture for the redis tests: separate redis-server processes configured right and
 * wrong (AOF and password on/off, CONFIG disabled as on managed services) and a primary+replica pair.
 */
import { Redis } from 'ioredis';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { startRedis, type RedisServer } from '../../src/standins/redis-server.js';

export const REDIS_PASSWORD = 'Redis-Secret-Passw0rd-42';

export interface RedisFixture {
  /** AOF everysec, requirepass, noeviction, with `replica` attached. */
  primary: RedisServer;
  replica: RedisServer;
  /** No AOF, no password, allkeys-lru. */
  bare: RedisServer;
  /** CONFIG disabled (renamed away), AOF on, password. */
  managed: RedisServer;
  /** CONFIG disabled, AOF off, password. */
  managedNoAof: RedisServer;
  /** TLS only (certificate from `ca`), password. */
  tls: RedisServer;
  ca: string;
  url(server: RedisServer, password?: string): string;
  /** A client for test setup (seeding hits/misses, waiting for the replica link). */
  client(server: RedisServer, password?: string): Redis;
  stop(): Promise<void>;
}

export async function startRedisFixture(): Promise<RedisFixture> {
  const servers: RedisServer[] = [];
  const start = async (args: string[], tls?: { key: string; cert: string }) => {
    const server = await startRedis(args, tls ? { tls } : {});
    servers.push(server);
    return server;
  };
  const stop = async () => {
    await Promise.allSettled(servers.reverse().map((server) => server.stop()));
  };
  try {
    const auth = ['--requirepass', REDIS_PASSWORD];
    const authority = await createCertificateAuthority();
    const certificate = await issueCertificate(authority, { hosts: ['127.0.0.1', 'localhost'] });
    const [primary, bare, managed, managedNoAof, tls] = await Promise.all([
      start([...auth, '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--repl-diskless-sync-delay', '0']),
      start(['--appendonly', 'no', '--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']),
      start([...auth, '--appendonly', 'yes', '--rename-command', 'CONFIG', '']),
      start([...auth, '--appendonly', 'no', '--rename-command', 'CONFIG', '']),
      start([...auth, '--appendonly', 'yes'], certificate),
    ]);
    const replica = await start([...auth, '--appendonly', 'yes', '--replicaof', '127.0.0.1', String(primary.port), '--masterauth', REDIS_PASSWORD]);
    const client = (server: RedisServer, password?: string) =>
      new Redis({ host: server.host, port: server.port, ...(password ? { password } : {}), maxRetriesPerRequest: 1, retryStrategy: () => null });
    // Wait (bounded) until the replica's link is up and the primary lists it online.
    const probe = client(primary, REDIS_PASSWORD);
    try {
      for (let i = 0; i < 100; i++) {
        if (/slave0:.*state=online/.test(await probe.info('replication'))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      probe.disconnect();
    }
    return {
      primary, replica, bare, managed, managedNoAof, tls, ca: authority.cert,
      url: (server, password) => `redis://${password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${server.port}`,
      client,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
