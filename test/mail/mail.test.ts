import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisationalDomain } from '../../checks/mail/domain.js';
import { judgeDkim } from '../../checks/mail/dkim.js';
import { judgeDmarc } from '../../checks/mail/dmarc.js';
import { countLookups, judgeSpf, type SpfNode } from '../../checks/mail/spf.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { dkimPublicKey, startDnsServer, type RunningDns } from '../../src/standins/dns.js';
import { startSmtpStandIn, type RunningSmtp } from '../../src/standins/smtp.js';
import { runJson } from '../helpers/run-json.js';

/** The sending domain's SPF, DMARC and DKIM and the SMTP server's certificate, through the binary against a DNS stand-in on 127.0.0.1. */
let dns: RunningDns;
let ca: KeyPair;
let smtp: RunningSmtp;
let expiring: RunningSmtp;

beforeAll(async () => {
  const many = Array.from({ length: 10 }, (_, index) => `a:h${index}.bad.test`).join(' ');
  dns = await startDnsServer({
    'good.test': { TXT: ['v=spf1 include:_spf.provider.test a mx -all', 'google-site-verification=x'] },
    '_spf.provider.test': { TXT: ['v=spf1 ip4:192.0.2.0/24 include:_spf2.provider.test ~all'] },
    '_spf2.provider.test': { TXT: ['v=spf1 ip6:2001:db8::/32 -all'] },
    '_dmarc.good.test': { TXT: ['v=DMARC1; p=reject; rua=mailto:d@good.test'] },
    's1._domainkey.good.test': { TXT: [`v=DKIM1; k=rsa; p=${dkimPublicKey(2048)}`] },
    'bad.test': { TXT: ['v=spf1 include:many.bad.test +all'] },
    'many.bad.test': { TXT: [`v=spf1 a ${many} -all`] },
    '_dmarc.bad.test': { TXT: ['v=DMARC1; p=none'] },
    's1._domainkey.bad.test': { TXT: [`v=DKIM1; k=rsa; p=${dkimPublicKey(1024)}`] },
    's2._domainkey.bad.test': { TXT: ['v=DKIM1; k=rsa; p='] },
    'missing.test': { A: ['192.0.2.1'] },
  });
  ca = await createCertificateAuthority();
  smtp = await startSmtpStandIn({ certificate: await issueCertificate(ca) });
  expiring = await startSmtpStandIn({ certificate: await issueCertificate(ca, { notAfterDays: 5 }), user: smtp.user, password: smtp.password });
}, 60_000);
afterAll(async () => {
  await Promise.all([dns?.close(), smtp?.close(), expiring?.close()]);
});

const mailEnv = (from: string, selector: string, server: RunningSmtp) => ({
  SMTP_FROM_EMAIL: from,
  DNS_RESOLVER: dns.server,
  DKIM_SELECTOR: selector,
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(server.port),
  SMTP_USER: server.user,
  SMTP_PASSWORD: server.password,
});
const MAIL = ['mail.spf', 'mail.dmarc', 'mail.dkim', 'smtp.connect'];

describe('mail probes through the binary', () => {
  it('a well-configured sending domain and SMTP server pass', async () => {
    const run = await runJson(mailEnv('BazaarHub <noreply@good.test>', 's1', smtp), MAIL, ['--ca', '{dir}/ca.pem'], { 'ca.pem': ca.cert });
    for (const probe of MAIL) expect([probe, run.byProbe(probe).status]).toEqual([probe, 'pass']);
    expect(run.byProbe('mail.spf').observed).toBe('good.test: -all, within 10 lookups: "v=spf1 include:_spf.provider.test a mx -all" (4 DNS lookups)');
    expect(run.byProbe('mail.dmarc').observed).toMatch(/^good\.test: p=reject/);
    expect(run.byProbe('mail.dkim').observed).toBe('s1._domainkey: RSA 2048-bit key published');
    expect(run.byProbe('smtp.connect').observed).toMatch(/certificate: valid: 127\.0\.0\.1 from bazaarhub-check, expires \d{4}-\d\d-\d\d \((199|200) days\)/);
    expect(dns.questions).toEqual(expect.arrayContaining(['good.test TXT', '_spf.provider.test TXT', '_spf2.provider.test TXT', '_dmarc.good.test TXT', 's1._domainkey.good.test TXT']));
  }, 120_000);

  it('a badly configured domain fails SPF (+all, 12 lookups), DMARC (p=none), DKIM (revoked key), and an expiring SMTP certificate fails', async () => {
    const run = await runJson(mailEnv('noreply@bad.test', 's1 s2', expiring), MAIL, ['--ca', '{dir}/ca.pem'], { 'ca.pem': ca.cert });
    expect(run.byProbe('mail.spf')).toMatchObject({ status: 'fail', observed: expect.stringMatching(/^bad\.test: 12 DNS lookups \(more than 10: permerror\); ends with \+all/) });
    expect(run.byProbe('mail.dmarc')).toMatchObject({ status: 'fail', observed: expect.stringMatching(/policy p=none \(needs quarantine or reject\)/) });
    expect(run.byProbe('mail.dkim').status).toBe('fail');
    expect(run.statuses('mail.dkim')).toEqual({ 's1._domainkey': 'warn', 's2._domainkey': 'fail' });
    expect(run.byProbe('mail.dkim').observed).toMatch(/revoked \(empty p=\)/);
    expect(run.byProbe('smtp.connect')).toMatchObject({ status: 'fail', observed: expect.stringMatching(/certificate: expires in [45] days/) });
  }, 120_000);

  it('a domain without records fails all three; without DNS or a sending domain nothing passes', async () => {
    const run = await runJson({ SMTP_FROM_EMAIL: 'noreply@missing.test', DNS_RESOLVER: dns.server, DKIM_SELECTOR: 's1' }, ['mail.spf', 'mail.dmarc', 'mail.dkim']);
    expect(run.byProbe('mail.spf')).toMatchObject({ status: 'fail', observed: 'missing.test: no SPF record (TXT "v=spf1 ...") at missing.test' });
    expect(run.byProbe('mail.dmarc')).toMatchObject({ status: 'fail', observed: expect.stringMatching(/no DMARC record at _dmarc\.missing\.test/) });
    expect(run.byProbe('mail.dkim')).toMatchObject({ status: 'fail', observed: expect.stringMatching(/no DKIM key at s1\._domainkey\.missing\.test/) });
    const none = await runJson({}, ['mail.spf', 'mail.dkim']);
    expect(none.byProbe('mail.spf')).toMatchObject({ status: 'skipped', observed: expect.stringMatching(/SMTP_FROM_EMAIL/) });
    const noSelector = await runJson({ SMTP_FROM_EMAIL: 'noreply@good.test', DNS_RESOLVER: dns.server }, ['mail.dkim']);
    expect(noSelector.byProbe('mail.dkim')).toMatchObject({ status: 'skipped', observed: expect.stringMatching(/DKIM_SELECTOR/) });
  }, 120_000);
});

describe('mail judgements', () => {
  const node = (domain: string, record: string, children: SpfNode['children'] = []): SpfNode => ({ domain, records: [record], children });

  it('counts lookups through redirect= and takes the final all from the redirect target', () => {
    const target = node('_spf.x.test', 'v=spf1 mx include:a.test -all', [{ term: 'include:a.test', node: node('a.test', 'v=spf1 ip4:192.0.2.1 -all') }]);
    const root = node('x.test', 'v=spf1 redirect=_spf.x.test', [{ term: 'redirect=_spf.x.test', node: target }]);
    expect(countLookups(root)).toBe(3);
    expect(judgeSpf(root).status).toBe('pass');
    expect(judgeSpf({ ...root, records: ['v=spf1 -all', 'v=spf1 ~all'] }).observed).toMatch(/2 SPF records/);
    expect(judgeSpf(node('x.test', 'v=spf1 include:gone.test -all', [{ term: 'include:gone.test', node: { domain: 'gone.test', records: [], children: [] } }])).observed).toMatch(/gone\.test has no SPF record/);
    expect(judgeSpf(node('x.test', 'v=spf1 ip4:192.0.2.1')).observed).toMatch(/no final -all or ~all/);
    expect(judgeSpf({ domain: 'x.test', records: [], error: 'ETIMEOUT', children: [] }).status).toBe('error');
    // A macro include cannot be followed (it expands per message) but still counts.
    expect(judgeSpf(node('x.test', 'v=spf1 include:%{i}._spf.x.test -all'))).toMatchObject({ status: 'pass', observed: expect.stringMatching(/1 DNS lookup\)/) });
  });

  it('DMARC: inherits sp= from the organisational domain, warns on pct under 100', () => {
    const empty = { resolver: 'r', name: '_dmarc.mail.bazaarhub.co.in', records: [] };
    const org = { resolver: 'r', name: '_dmarc.bazaarhub.co.in', records: ['v=DMARC1; p=reject; sp=none'] };
    expect(organisationalDomain('mail.bazaarhub.co.in')).toBe('bazaarhub.co.in');
    expect(judgeDmarc('mail.bazaarhub.co.in', empty, org)).toMatchObject({ status: 'fail', observed: expect.stringMatching(/p=none .*organisational domain/) });
    expect(judgeDmarc('bazaarhub.in', { resolver: 'r', name: '_dmarc.bazaarhub.in', records: ['v=DMARC1; p=quarantine; pct=50'] }).status).toBe('warn');
  });

  it('DKIM: rejects garbage keys, accepts Ed25519', () => {
    expect(judgeDkim('s', { resolver: 'r', name: 's._domainkey.x', records: ['v=DKIM1; p=bm90IGEga2V5'] }, 1024).observed).toMatch(/not a valid base64 RSA public key/);
    expect(judgeDkim('s', { resolver: 'r', name: 's._domainkey.x', records: ['v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='] }, 1024).status).toBe('pass');
  });
});
