import { describe, expect, it } from 'vitest';
import { Redactor, collisionProne } from '../../src/util/redact.js';

function redactor(secrets: string[], protect: string[] = []): Redactor {
  const r = new Redactor();
  for (const secret of secrets) r.add(secret);
  r.protect(...protect);
  return r;
}

describe('redaction masks a secret only where it stands as a value', () => {
  it('a weak word secret: masked in URLs, key=value, JSON and quotes; ids and words around it untouched', () => {
    const r = redactor(['password']);
    expect(r.redact('postgres://app:password@db:5432/x redis://:password@host:6379')).toBe('postgres://app:***@db:5432/x redis://:***@host:6379');
    expect(r.redact('DB_PASSWORD=password; {"p":"password"} \'password\'')).toBe('DB_PASSWORD=***; {"p":"***"} \'***\'');
    expect(r.redact('pre-deployment.security.update-all-default-passwords-in-env env.default-passwords')).toBe('pre-deployment.security.update-all-default-passwords-in-env env.default-passwords');
    expect(r.redact('FATAL: password authentication failed')).toBe('FATAL: password authentication failed');
    expect(r.redact('password')).toBe('***');
  });

  it('protected text is never altered, even where the secret is a whole token inside it', () => {
    const r = redactor(['security'], ['pre-deployment.security.update-all-default-passwords-in-env']);
    expect(r.redact('id pre-deployment.security.update-all-default-passwords-in-env; x.security.y')).toBe('id pre-deployment.security.update-all-default-passwords-in-env; x.***.y');
  });

  it('a long random secret is masked wherever it occurs, in every escaped form', () => {
    const secret = 'Q9x7Lk2Vb8Nm4Zr1Tp6Wc3Yh0<&"|_';
    const r = redactor([secret]);
    expect(r.redact(`abc${secret}def`)).toBe('abc***def');
    expect(r.redact(JSON.stringify({ v: secret }))).toBe('{"v":"***"}');
    expect(r.redact(encodeURIComponent(secret))).toBe('***');
    expect(r.redact('Q9x7Lk2Vb8Nm4Zr1Tp6Wc3Yh0&lt;&amp;&quot;|_')).toBe('***');
    expect(r.redact('Q9x7Lk2Vb8Nm4Zr1Tp6Wc3Yh0\\<&"\\|\\_')).toBe('***');
    expect(collisionProne(secret)).toBe(false);
    expect(collisionProne('dev-secret-change-in-production')).toBe(true);
  });

  it('a secret split across two writes is masked, and nothing else is delayed past the end', () => {
    const r = redactor(['hunter22secret', 'password']);
    const stream = r.stream();
    const out = [stream.write('connecting to redis://:hunt'), stream.write('er22secret@127.0.0.1 and :pass'), stream.write('word@x\n'), stream.write('default-pass'), stream.write('words'), stream.end()];
    expect(out.join('')).toBe('connecting to redis://:***@127.0.0.1 and :***@x\ndefault-passwords');
    // A write that cannot start a secret is passed on at once.
    expect(r.stream().write('progress 3/10\n')).toBe('progress 3/10\n');
  });

  it('a protected text split across writes keeps its words', () => {
    const r = redactor(['security'], ['pre-deployment.security.update']);
    const stream = r.stream();
    const out = stream.write('pre-deployment.secu') + stream.write('rity.update and a.security.b') + stream.end();
    expect(out).toBe('pre-deployment.security.update and a.***.b');
  });
});
