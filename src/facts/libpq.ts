/**
 * libpq's SSL connection parameters (sslmode, sslrootcert, sslcert, sslkey, sslpassword and their
 * PGSSL* environment variables), resolved and applied the way psql applies them.
 *
 * node-postgres reads sslmode its own way: pg-connection-string treats prefer, require and
 * verify-ca as verify-full against Node's default store unless `uselibpqcompat=true`, and pg has no
 * prefer/allow fallback at all. So we never hand pg a connection string or an sslmode: the TLS
 * options (trust store, chain and host-name checks, client certificate) are built here, and the
 * prefer/allow retries live in postgres.ts, so that every sslmode means what libpq documents:
 *
 * - disable: no SSL. allow: plain first, SSL if the server refuses. prefer (libpq's default): SSL
 *   first, plain if that fails. require: SSL only, and the chain is not verified unless a root
 *   certificate is available (sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt), when it
 *   behaves like verify-ca. verify-ca: the chain must verify. verify-full: the chain and the host name.
 * - sslrootcert=system: the system trust store, and sslmode defaults to verify-full (libpq 16+);
 *   an explicitly weaker sslmode is refused, as libpq refuses it.
 * - A missing sslcert file means no client certificate; a present one needs its key, and the key
 *   file must not be readable by group or others (libpq's permission rule).
 *
 * Deliberate deviations, because the tool runs beside, not on, the application's host: `--ca` and
 * NODE_EXTRA_CA_CERTS are trusted beside whatever sslrootcert names (as for every TLS client of
 * the tool), and verify-ca/verify-full without any root certificate file verify against the
 * tool's trust store (system roots, NODE_EXTRA_CA_CERTS, --ca) instead of refusing, which is what
 * node-postgres does with `ssl: true`.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import tls, { type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { RunOptions } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { extraCaCerts, secureContextFor, trustingContext } from './tls.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** A parameter's value and where it came from (`sslrootcert in DATABASE_URL`, `PGSSLROOTCERT`, `libpq's default`). */
export interface SslParameter {
  value: string;
  source: string;
}

export interface PgSslConfig {
  mode: SslMode;
  /** How the mode was chosen, e.g. `sslmode=verify-full in DATABASE_URL`, `PGSSLMODE=require`, `DB_SSL=true`. */
  source: string;
  rootCert?: SslParameter;
  cert?: SslParameter;
  key?: SslParameter;
  /** sslpassword: the passphrase of the client key. */
  password?: string;
  /** A combination libpq refuses before connecting (sslrootcert=system with a weaker sslmode). */
  refusal?: string;
}

const TRUE = /^(1|true|yes|on|require|required)$/i;
const FALSE = /^(0|false|no|off|disable|disabled)$/i;

/** A libpq sslmode, or a boolean-ish DB_SSL/ssl value mapped to require/disable. */
export function sslModeOf(value: string): SslMode | undefined {
  const lower = value.toLowerCase();
  if ((SSL_MODES as readonly string[]).includes(lower)) return lower as SslMode;
  if (TRUE.test(value)) return 'require';
  if (FALSE.test(value)) return 'disable';
  return undefined;
}

function postgresDir(): string {
  return join(homedir(), '.postgresql');
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The SSL parameters for one connection: the DSN's query parameters (`dsnName` says which
 * variable) win over libpq's PGSSL* variables (from the env file or the process environment),
 * which win over DB_SSL, which wins over libpq's defaults (sslmode prefer, ~/.postgresql files).
 */
export function resolvePgSsl(get: (name: string) => string | undefined, params?: URLSearchParams, dsnName = 'DATABASE_URL'): PgSslConfig | { error: string } {
  const param = (name: string): SslParameter | undefined => {
    const fromDsn = params?.get(name);
    if (fromDsn) return { value: fromDsn, source: `${name}=${fromDsn} in ${dsnName}` };
    return undefined;
  };
  const fromEnv = (variable: string): SslParameter | undefined => {
    const value = get(variable);
    return value ? { value, source: `${variable}=${value}` } : undefined;
  };
  const either = (name: string, variable: string): SslParameter | undefined => param(name) ?? fromEnv(variable);

  let mode: SslMode | undefined;
  let source = '';
  const dsnMode = params?.get('sslmode');
  const dsnFlag = params?.get('ssl');
  const envMode = get('PGSSLMODE');
  const dbSsl = get('DB_SSL');
  let noVerify = false;
  if (dsnMode?.toLowerCase() === 'no-verify') {
    // node-postgres' own mode (libpq has none such): encrypted, never verified.
    mode = 'require';
    noVerify = true;
    source = `sslmode=${dsnMode} in ${dsnName} (node-postgres: encrypted, not verified)`;
  } else if (dsnMode) {
    if (!(SSL_MODES as readonly string[]).includes(dsnMode.toLowerCase())) return { error: `${dsnName} has an unknown sslmode "${dsnMode}"` };
    mode = dsnMode.toLowerCase() as SslMode;
    source = `sslmode=${dsnMode} in ${dsnName}`;
  } else if (dsnFlag) {
    mode = sslModeOf(dsnFlag) ?? 'require';
    source = `ssl=${dsnFlag} in ${dsnName}`;
  } else if (envMode) {
    if (!(SSL_MODES as readonly string[]).includes(envMode.toLowerCase())) return { error: `PGSSLMODE has an unknown value "${envMode}" (expected one of ${SSL_MODES.join(', ')})` };
    mode = envMode.toLowerCase() as SslMode;
    source = `PGSSLMODE=${envMode}`;
  } else if (dbSsl !== undefined) {
    mode = sslModeOf(dbSsl) ?? 'disable';
    source = `DB_SSL=${dbSsl}`;
  }

  let rootCert = noVerify ? undefined : either('sslrootcert', 'PGSSLROOTCERT');
  if (!rootCert && !noVerify && exists(join(postgresDir(), 'root.crt'))) rootCert = { value: join(postgresDir(), 'root.crt'), source: `libpq's default root certificate ${join(postgresDir(), 'root.crt')}` };
  let refusal: string | undefined;
  if (rootCert?.value === 'system') {
    if (!mode) {
      mode = 'verify-full';
      source = `sslmode defaults to verify-full with ${rootCert.source}`;
    } else if (mode !== 'verify-full') {
      refusal = `weak sslmode "${mode}" may not be used with sslrootcert=system (use "verify-full"); libpq refuses to connect (${source}, ${rootCert.source})`;
    }
  }
  if (!mode) {
    mode = 'prefer';
    source = `no sslmode in ${params ? dsnName : 'DB_*'}, PGSSLMODE or DB_SSL (libpq's default prefer)`;
  }
  const cert = either('sslcert', 'PGSSLCERT') ?? { value: join(postgresDir(), 'postgresql.crt'), source: `libpq's default client certificate ${join(postgresDir(), 'postgresql.crt')}` };
  const key = either('sslkey', 'PGSSLKEY') ?? { value: join(postgresDir(), 'postgresql.key'), source: `libpq's default client key ${join(postgresDir(), 'postgresql.key')}` };
  const password = params?.get('sslpassword') ?? undefined;
  return { mode, source, ...(rootCert ? { rootCert } : {}), cert, key, ...(password ? { password } : {}), ...(refusal ? { refusal } : {}) };
}

/** True when the configuration makes the client refuse an unencrypted connection. */
export function sslRequired(mode: SslMode): boolean {
  return mode === 'require' || mode === 'verify-ca' || mode === 'verify-full';
}

/** Why SSL cannot be used with these settings; `status` is `fail` for the deployment's fault, `error` for what this machine lacks. */
export interface SslSettingsProblem {
  problem: string;
  status: 'fail' | 'error';
}

export interface PgTls {
  options: ConnectionOptions;
  /** What is checked, e.g. `the chain and the host name`, `nothing (sslmode=require without a root certificate)`. */
  verification: string;
  /** `with sslmode=verify-full and sslrootcert=/etc/ssl/rds-ca.pem in DATABASE_URL`, for failure messages. */
  context: string;
  /** The named sslrootcert is not on this machine: an unknown-CA failure then says nothing about the server. */
  rootMissing?: boolean;
}

/** OpenSSL's default bundle for sslrootcert=system: SSL_CERT_FILE, else the usual distribution paths. */
function systemBundle(): string[] {
  const candidates = [process.env.SSL_CERT_FILE, '/usr/lib/ssl/cert.pem', '/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
  for (const file of candidates) {
    if (!file) continue;
    try {
      return [readFileSync(file, 'utf8')];
    } catch {
      // try the next location
    }
  }
  return [];
}

/** libpq refuses a private key file that group or others may read (root-owned 0640 is allowed). */
function keyPermissionProblem(path: string): string | undefined {
  const stat = statSync(path);
  if (!stat.isFile()) return `private key file "${path}" is not a regular file`;
  // libpq: root-owned files may be 0640 (system-wide keys read through a group), others 0600.
  if ((stat.mode & (stat.uid === 0 ? 0o037 : 0o077)) !== 0) {
    return `private key file "${path}" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root`;
  }
  return undefined;
}

/** The names a certificate is valid for, for a host-name mismatch message. */
function certificateNames(cert: PeerCertificate): string {
  return cert.subjectaltname || (cert.subject?.CN ? `CN=${String(cert.subject.CN)}` : 'none');
}

/**
 * The TLS options for one SSL attempt with libpq's meaning of `config`, or the problem that stops
 * libpq before it connects. `host` is the name the host-name check of verify-full compares.
 */
export function pgTlsOptions(config: PgSslConfig, host: string, run: RunOptions): PgTls | SslSettingsProblem {
  if (config.refusal) return { problem: config.refusal, status: 'fail' };
  const context: string[] = [`sslmode=${config.mode}`];
  const options: ConnectionOptions = {};
  const root = config.rootCert;
  let haveRoot = false;
  if (root?.value === 'system') {
    options.secureContext = trustingContext([...systemBundle(), ...run.ca]);
    haveRoot = true;
    context.push(`${root.source} (the system trust store)`);
  } else if (root && exists(root.value)) {
    let pem: string;
    try {
      pem = readFileSync(root.value, 'utf8');
    } catch (error) {
      return { problem: `could not read root certificate file "${root.value}" (${root.source}): ${errorMessage(error)}`, status: 'error' };
    }
    options.ca = [pem, ...extraCaCerts(), ...run.ca];
    haveRoot = true;
    context.push(`${root.source}${run.ca.length ? ' (and --ca)' : ''}`);
  } else if (config.mode === 'verify-ca' || config.mode === 'verify-full') {
    const tool = secureContextFor(run);
    if (root && !tool && !process.env.NODE_EXTRA_CA_CERTS && !run.insecure) {
      return {
        problem: `root certificate file "${root.value}" (${root.source}) does not exist on this machine, and libpq refuses sslmode=${config.mode} without it; pass the CA with --ca FILE (or copy it here)`,
        status: 'error',
      };
    }
    if (tool) options.secureContext = tool;
    context.push(root ? `--ca/NODE_EXTRA_CA_CERTS (sslrootcert ${root.value} is not on this machine)` : 'the tool\'s trust store (system roots, NODE_EXTRA_CA_CERTS, --ca; no sslrootcert given)');
  }
  const verifyChain = haveRoot || config.mode === 'verify-ca' || config.mode === 'verify-full';
  const verifyHost = config.mode === 'verify-full';
  options.rejectUnauthorized = verifyChain && !run.insecure;
  options.checkServerIdentity = verifyHost
    ? (_servername: string, cert: PeerCertificate) => {
        // Compare the host the application names (also for an IP address), in our words.
        const mismatch = tls.checkServerIdentity(host, cert);
        if (!mismatch) return undefined;
        return Object.assign(new Error(`host name ${host} does not match the certificate's names (${certificateNames(cert)})`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      }
    : () => undefined;

  const cert = config.cert;
  if (cert && exists(cert.value)) {
    const key = config.key;
    if (!key || !exists(key.value)) return { problem: `certificate present, but not private key file "${key?.value ?? ''}" (${cert.source})`, status: 'error' };
    const permission = keyPermissionProblem(key.value);
    if (permission) return { problem: permission, status: 'error' };
    try {
      options.cert = readFileSync(cert.value, 'utf8');
      options.key = readFileSync(key.value, 'utf8');
    } catch (error) {
      return { problem: `could not read the client certificate or key (${cert.source}): ${errorMessage(error)}`, status: 'error' };
    }
    if (config.password) options.passphrase = config.password;
    context.push(`client certificate ${cert.value}`);
  }
  const verification = run.insecure
    ? 'nothing (--insecure)'
    : verifyHost
      ? 'the chain and the host name'
      : verifyChain
        ? 'the chain, not the host name'
        : `nothing (sslmode=${config.mode} without a root certificate does not verify the server)`;
  return { options, verification, context: `with ${context.join(' and ')}`, ...(root && root.value !== 'system' && !haveRoot ? { rootMissing: true } : {}) };
}

/** OpenSSL's verification codes, as Node reports them on a failed handshake. */
const UNKNOWN_CA = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE']);
const VERIFY_CODES = new Set([...UNKNOWN_CA, 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'CERT_REJECTED', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** Whether a connect error came from the TLS layer (handshake, verification, our key), not the network or the server's SQL layer. */
export function isTlsFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  if (VERIFY_CODES.has(code) || /^ERR_(SSL|TLS|OSSL)_/.test(code)) return true;
  return /before secure TLS connection was established|SSL routines|ssl\/tls alert/i.test(errorMessage(error));
}

/** Local key problems (bad passphrase, undecodable key) are this machine's, not the server's. */
export function isLocalTlsFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  return /^ERR_OSSL_/.test(code) || /bad decrypt|DECODER routines|PEM routines|passphrase/i.test(errorMessage(error));
}

/** A TLS failure in words an operator reads: what was wrong with the certificate, and OpenSSL's own text. */
export function isUnknownCa(error: unknown): boolean {
  return UNKNOWN_CA.has((error as NodeJS.ErrnoException)?.code ?? '');
}

export function describeTlsFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  const message = errorMessage(error).split('\n')[0] ?? 'TLS handshake failed';
  if (UNKNOWN_CA.has(code)) return `certificate is signed by an unknown CA (${message})`;
  if (code === 'CERT_HAS_EXPIRED') return `certificate has expired (${message})`;
  if (code === 'CERT_NOT_YET_VALID') return `certificate is not yet valid (${message})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return message;
  if (/alert (unknown ca|bad certificate|certificate required|certificate unknown|handshake failure)/i.test(message)) return `the server refused the TLS handshake (${message}); check sslcert/sslkey`;
  if (isLocalTlsFailure(error)) return `the client key could not be used (${message}); check sslkey and sslpassword`;
  return `TLS handshake failed (${message})`;
}
