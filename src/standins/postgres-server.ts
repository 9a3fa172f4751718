/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 (random port) from the machine's server
 * binaries, for the tests and the demo stand-in. initdb and postgres refuse to run as root, so when
 * we are root they run as the `postgres` OS user in a scratch directory (under the OS temp dir,
 * removed on stop) owned by it. The cluster
 * also listens on a Unix socket in that directory with `trust`, which is how `admin` connects
 * whatever the TCP pg_hba rules say.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client } from 'pg';
import { onExitCleanup } from './exit-cleanup.js';
import { freePort, onPath, run } from './process.js';

export const PG_SUPERUSER = 'postgres';

/** The directory holding initdb/pg_ctl/postgres: PATH first, then Debian's /usr/lib/postgresql/<major>/bin (newest). */
export function findPgBin(): string | undefined {
  const onPathInitdb = onPath('initdb');
  // Resolve links (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb): pg_basebackup lives beside the real one.
  if (onPathInitdb && onPath('pg_ctl')) return dirname(realpathSync(onPathInitdb));
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

/** Why a local cluster cannot be started here, or undefined when it can. */
export function pgUnavailableReason(): string | undefined {
  if (!findPgBin()) return 'no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql';
  if (isRoot() && osUser(PG_SUPERUSER) === undefined) return 'running as root and there is no "postgres" OS user to run the server as';
  return undefined;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function osUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export interface PgServerOptions {
  /** Password of the `postgres` superuser for TCP connections. */
  superPassword: string;
  /** Server key and certificate (PEM): enables `ssl = on`; `ca` verifies client certificates (pg_hba `cert`). */
  ssl?: { key: string; cert: string; ca?: string };
  /** TCP pg_hba.conf lines; default: password (scram) login for every user and replication, SSL or not. */
  hba?: string[];
  /** postgresql.conf settings on top of the test-friendly defaults. */
  settings?: Record<string, string | number | boolean>;
}

export interface PgServer {
  host: '127.0.0.1';
  port: number;
  dataDir: string;
  /** A superuser client over the Unix socket (trust), connected to `database` (default postgres). */
  admin(database?: string): Promise<Client>;
  /** A streaming replica made with pg_basebackup -R, on its own port. */
  startReplica(settings?: Record<string, string | number | boolean>): Promise<PgServer>;
  stop(): Promise<void>;
}

const DEFAULT_HBA = ['host all all 127.0.0.1/32 scram-sha-256', 'host replication all 127.0.0.1/32 scram-sha-256'];

export async function startPostgres(options: PgServerOptions): Promise<PgServer> {
  const reason = pgUnavailableReason();
  if (reason) throw new Error(`cannot start PostgreSQL: ${reason}`);
  const bin = findPgBin() as string;
  const base = mkdtempSync(join(tmpdir(), 'bazaarhub-pg-'));
  const dataDir = join(base, 'data');
  const owner = isRoot() ? osUser(PG_SUPERUSER) : undefined;
  if (owner) chownSync(base, owner.uid, owner.gid);
  // However this process ends (a signal, a closed pipe, a crash), the cluster stops and its directory goes.
  const unregister = onExitCleanup(() => {
    stopSync(bin, dataDir);
    rmSync(base, { recursive: true, force: true });
  });
  try {
    const pwfile = join(base, 'pwfile');
    writeFileSync(pwfile, `${options.superPassword}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    await asOwner(bin, 'initdb', ['-D', dataDir, '-U', PG_SUPERUSER, '--pwfile', pwfile, '-A', 'scram-sha-256', '--auth-local=trust', '-N', '-E', 'UTF8', '--locale=C']);
    rmSync(pwfile);
    const files: Record<string, string> = {};
    if (options.ssl) {
      files['server.key'] = options.ssl.key;
      files['server.crt'] = options.ssl.cert;
      if (options.ssl.ca) files['root.crt'] = options.ssl.ca;
    }
    files['pg_hba.conf'] = ['local all all trust', 'local replication all trust', ...(options.hba ?? DEFAULT_HBA)].join('\n') + '\n';
    for (const [name, content] of Object.entries(files)) {
      const path = join(dataDir, name);
      writeFileSync(path, content, { mode: 0o600 });
      chmodSync(path, 0o600);
      if (owner) chownSync(path, owner.uid, owner.gid);
    }
    const settings = {
      listen_addresses: '127.0.0.1',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      autovacuum: 'off',
      shared_buffers: '16MB',
      max_connections: 50,
      ...(options.ssl ? { ssl: 'on', ssl_cert_file: 'server.crt', ssl_key_file: 'server.key' } : {}),
      ...(options.ssl?.ca ? { ssl_ca_file: 'root.crt' } : {}),
      ...options.settings,
    };
    const server = await launch({ bin, base, dataDir, owner, settings });
    const stop = server.stop;
    return {
      ...server,
      async stop() {
        await stop();
        unregister();
      },
    };
  } catch (error) {
    stopSync(bin, dataDir);
    rmSync(base, { recursive: true, force: true });
    unregister();
    throw error;
  }
}

/** `pg_ctl stop -m immediate`, synchronously, when a postmaster of `dataDir` may be running. */
function stopSync(bin: string, dataDir: string): void {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  const command = join(bin, 'pg_ctl');
  const args = ['-D', dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop'];
  if (isRoot()) spawnSync('runuser', ['-u', PG_SUPERUSER, '--', command, ...args], { stdio: 'ignore', timeout: 30_000 });
  else spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
}

interface Launch {
  bin: string;
  base: string;
  dataDir: string;
  owner: { uid: number; gid: number } | undefined;
  settings: Record<string, string | number | boolean>;
}

async function launch(spec: Launch): Promise<PgServer> {
  const { bin, base, dataDir, owner } = spec;
  const port = await freePort();
  const socketDir = base;
  const settings = { ...spec.settings, port, unix_socket_directories: socketDir };
  appendFileSync(join(dataDir, 'postgresql.conf'), `\n# bazaarhub-check test cluster\n${Object.entries(settings).map(([k, v]) => `${k} = ${quote(v)}`).join('\n')}\n`);
  const log = join(base, `postgres-${port}.log`);
  await asOwner(bin, 'pg_ctl', ['-D', dataDir, '-l', log, '-w', '-t', '30', 'start']);
  let stopped = false;

  const admin = async (database = 'postgres'): Promise<Client> => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ host: socketDir, port, user: PG_SUPERUSER, database });
    await client.connect();
    return client;
  };

  return {
    host: '127.0.0.1',
    port,
    dataDir,
    admin,
    async startReplica(replicaSettings = {}) {
      const replicaBase = mkdtempSync(join(base, 'replica-'));
      if (owner) chownSync(replicaBase, owner.uid, owner.gid);
      const replicaData = join(replicaBase, 'data');
      const unregisterReplica = onExitCleanup(() => stopSync(bin, replicaData));
      await asOwner(bin, 'pg_basebackup', ['-h', socketDir, '-p', String(port), '-U', PG_SUPERUSER, '-D', replicaData, '-R', '-X', 'stream', '-c', 'fast']);
      const replica = await launch({ bin, base: replicaBase, dataDir: replicaData, owner, settings: replicaSettings });
      return {
        ...replica,
        async stop() {
          await replica.stop();
          unregisterReplica();
        },
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await asOwner(bin, 'pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop']);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}

function quote(value: string | number | boolean): string {
  return typeof value === 'string' ? `'${value.replace(/'/g, "''")}'` : String(value);
}

function asOwner(bin: string, tool: string, args: string[]) {
  const command = join(bin, tool);
  return isRoot() ? run('runuser', ['-u', PG_SUPERUSER, '--', command, ...args], { timeoutMs: 60_000 }) : run(command, args, { timeoutMs: 60_000 });
}
