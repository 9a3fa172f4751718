import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/target/env-file.js';
import { buildTarget } from '../../src/target/target.js';
import { InputError } from '../../src/util/errors.js';
import { Redactor } from '../../src/util/redact.js';

const parse = (text: string) => Object.fromEntries(parseEnvFile(text, '.env').values);
const error = (text: string) => {
  try {
    parseEnvFile(text, '.env');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('env file parser', () => {
  it('reads dotenv syntax: comments, export, quotes, escapes, inline comments, CRLF, BOM', () => {
    const text = '\uFEFF# comment\r\nexport NODE_ENV=production\r\nA="x y # not a comment"\nB=\'single $x\'\nC=plain # trailing\nD="line\\nbreak"\nE=\nF=a=b=c\n';
    expect(parse(text)).toEqual({ NODE_ENV: 'production', A: 'x y # not a comment', B: 'single $x', C: 'plain', D: 'line\nbreak', E: '', F: 'a=b=c' });
  });
  it('reads multi-line quoted values and reports their first line', () => {
    const parsed = parseEnvFile('A=1\nKEY="-----BEGIN-----\nabc\n-----END-----"\nB=2\n', '.env');
    expect(parsed.values.get('KEY')).toBe('-----BEGIN-----\nabc\n-----END-----');
    expect(parsed.lines.get('KEY')).toBe(2);
    expect(parsed.lines.get('B')).toBe(5);
  });
  it('names file and line for invalid lines', () => {
    expect(error('A=1\nthis is not valid\n')).toBe('.env:2: expected KEY=VALUE');
    expect(error('A=1\n1BAD=x\n')).toBe('.env:2: invalid variable name (letters, digits and _ only)');
    expect(error('A="open\nB=2\n')).toBe('.env:1: unterminated " quote in A');
    expect(error('A="x" y\n')).toBe('.env:1: unexpected text after the closing quote of A');
  });
});

describe('target', () => {
  it('layers file < process env < --set, and validates URLs without echoing them', () => {
    const secrets = new Redactor();
    const target = buildTarget(
      {
        envFile: '.env',
        fileValues: new Map([['NODE_ENV', 'development'], ['APP_URL', 'https://api.example.com'], ['CUSTOM', 'file']]),
        processEnv: { NODE_ENV: 'production', CUSTOM: 'process', UNRELATED: 'x' },
        overrides: new Map([['CUSTOM', 'flag']]),
      },
      secrets,
    );
    expect(target.get('NODE_ENV')).toBe('production');
    expect(target.get('CUSTOM')).toBe('flag');
    expect(target.get('UNRELATED')).toBeUndefined();
    expect(target.services().map((service) => [service.name, service.url.host])).toEqual([['api', 'api.example.com']]);

    const bad = () => buildTarget({ envFile: '.env', fileValues: new Map([['DATABASE_URL', 'mysql://u:hunter2hunter2@h/db']]), fileLines: new Map([['DATABASE_URL', 7]]) }, new Redactor());
    expect(bad).toThrow('.env:7: DATABASE_URL has scheme "mysql", expected postgres or postgresql');
    expect(() => buildTarget({ envFile: '.env', fileValues: new Map([['APP_URL', 'not a url']]), fileLines: new Map([['APP_URL', 3]]) }, new Redactor())).toThrow('.env:3: APP_URL is not a valid URL');
  });

  it('registers credentials for redaction, including DSN passwords', () => {
    const secrets = new Redactor();
    buildTarget({ fileValues: new Map([['JWT_SECRET', 'jwt-value-123456'], ['DATABASE_URL', 'postgres://app:p%40ss-word-9@db:5432/x'], ['NODE_ENV', 'production']]) }, secrets);
    const text = secrets.redact('jwt-value-123456 p@ss-word-9 p%40ss-word-9 production postgres://app:p%40ss-word-9@db:5432/x');
    expect(text).not.toMatch(/jwt-value|ss-word/);
    expect(text).toContain('production');
    expect(text).toContain('postgres://app:***@db:5432/x');
  });
});

describe('redactor', () => {
  it('never registers flags or numbers as secrets, so ordinary words survive', () => {
    const secrets = new Redactor();
    buildTarget({ fileValues: new Map([['CORS_CREDENTIALS', 'true'], ['MIN_PASSWORD_LENGTH', '8'], ['SMTP_PASSWORD', 'true']]) }, secrets);
    expect(secrets.redact('set-https-only-true 8 true')).toBe('set-https-only-true 8 true');
  });
});
