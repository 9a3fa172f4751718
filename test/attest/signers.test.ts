import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAttestation } from '../../src/attest/ledger.js';
import { publicKeyId } from '../../src/attest/signers.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { gitRepo, input, tempDir } from './helpers.js';

const tmp = tempDir('signers');
afterAll(() => tmp.remove());

const SEC = 'pre-deployment.security.penetration-test-signed-off';
const SEC2 = 'pre-deployment.security.threat-model-reviewed';
const GST = 'pre-deployment.compliance.review-gst';
const VENDOR = 'deployment.steps.test-vendor-registration';
const VENDOR2 = 'deployment.steps.test-refund-flow';

/** A small catalog of manual items, two of which only the security role may attest. */
const CATALOG = `version: 1
checklist: checklist.md
entries:
${[
  [SEC, 'Penetration test signed off', 'attesters: [security]'],
  [SEC2, 'Threat model reviewed', 'attesters: [security]'],
  [GST, 'Review GST compliance', ''],
  [VENDOR, 'Test vendor registration', ''],
  [VENDOR2, 'Test refund flow', ''],
]
  .map(([id, title, extra]) => `  - id: ${id}\n    title: ${title}\n    phase: ${(id as string).split('.')[0]}\n    section: s\n    cadence: per-release\n    severity: high\n    manual: true\n${extra ? `    ${extra}\n` : ''}`)
  .join('\n')}`;

interface Person {
  env: Record<string, string>;
  line: string;
  keyFile: string;
}

/** A person with their own config directory; `attest --new-key` makes their key and prints their signers line. */
async function person(dir: string, name: string, email: string): Promise<Person> {
  const config = join(dir, `.config-${email.split('@')[0]}`);
  const env = { XDG_CONFIG_HOME: config, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
  const made = await runCli(['attest', '--new-key', '--by', `${name} <${email}>`], { cwd: dir, env });
  expect(made.code, made.stderr).toBe(0);
  const line = /^ {2}(\S+@\S+ .*ssh-ed25519 \S+)$/m.exec(made.stderr)?.[1];
  expect(line, made.stderr).toBeDefined();
  return { env, line: line as string, keyFile: join(config, 'bazaarhub-check/attest-ed25519.pem') };
}

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

describe('personal keys', () => {
  it('attest --new-key creates a 0600 Ed25519 key, prints the signers line, never the key, and refuses to overwrite it', async () => {
    const dir = join(tmp.dir, 'newkey');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bazaarhub-checks.yaml'), CATALOG);
    const asha = await person(dir, 'Asha Rao', 'asha@bazaarhub.in');
    expect(statSync(asha.keyFile).mode & 0o777).toBe(0o600);
    expect(asha.line).toMatch(/^asha@bazaarhub\.in name="Asha Rao",roles="engineering" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA/);
    const again = await runCli(['attest', '--new-key'], { cwd: dir, env: asha.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);

    // The private key never shows, in any output of any command.
    const secret = readFileSync(asha.keyFile, 'utf8').split('\n')[1] as string;
    const recorded = await runCli(['attest', GST, '--status', 'done', '--evidence', 'https://wiki/gst'], { cwd: dir, env: asha.env });
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stdout + recorded.stderr).not.toContain(secret.slice(10, 40));

    chmodSync(asha.keyFile, 0o644);
    const loose = await runCli(['attest', VENDOR, '--status', 'done'], { cwd: dir, env: asha.env });
    expect(loose.code).toBe(2);
    expect(loose.stderr).toContain(`readable by others (mode 644): run chmod 600 ${asha.keyFile}`);
    expect(loose.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a first-time user without any key is told how to get one (exit 2), not about a team secret only', async () => {
    const dir = join(tmp.dir, 'nokey');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bazaarhub-checks.yaml'), CATALOG);
    const result = await runCli(['attest', GST, '--status', 'done', '--by', 'x@y.z'], { cwd: dir, env: { XDG_CONFIG_HOME: join(dir, 'cfg') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/attest --new-key/);
  });

  it('signs with an existing OpenSSH key (--ssh-key, remembered) and with ssh-agent (--ssh-agent)', async () => {
    const dir = join(tmp.dir, 'ssh');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bazaarhub-checks.yaml'), CATALOG);
    const keyFile = join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'asha@laptop', '-f', keyFile]);
    const publicLine = readFileSync(`${keyFile}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const env = { XDG_CONFIG_HOME: join(dir, 'cfg'), HOME: dir };
    writeFileSync(join(dir, 'bazaarhub-signers'), `asha@bazaarhub.in name="Asha Rao",roles="security" ${publicLine} asha@laptop\n`);

    const first = await runCli(['attest', SEC, '--status', 'done', '--ssh-key', keyFile], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/done by Asha Rao <asha@bazaarhub\.in>/);
    // Remembered: the next attest needs no flag.
    const second = await runCli(['attest', GST, '--status', 'done'], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);

    const sock = join(dir, 'agent.sock');
    const agent = execFileSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent)?.[1];
    try {
      execFileSync('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const viaAgent = await runCli(['attest', VENDOR, '--status', 'done', '--ssh-agent'], { cwd: dir, env: { ...env, SSH_AUTH_SOCK: sock } });
      expect(viaAgent.code, viaAgent.stderr).toBe(0);
    } finally {
      if (pid) process.kill(Number(pid));
    }
    const lint = await runCli(['attest', '--lint'], { cwd: dir, env });
    expect(lint.stdout + lint.stderr).toMatch(/3 record\(s\), hash chain intact, every signature verified, every signer listed/);
    expect(lint.code).toBe(0);
  });
});

describe('the signers file decides who counts', () => {
  const dir = join(tmp.dir, 'repo');
  const ledger = join(dir, 'bazaarhub-attestations.jsonl');
  const signers = join(dir, 'bazaarhub-signers');
  let git: (...args: string[]) => string;
  let asha: Person;
  let bob: Person;
  let carol: Person;
  const status = async (env: Record<string, string>) => {
    const result = await runCli(['run', '--format', 'json'], { cwd: dir, env });
    return new Map((JSON.parse(result.stdout) as { results: Array<{ id: string; status: string; observed: string }> }).results.map((r) => [r.id, r]));
  };

  beforeAll(async () => {
    mkdirSync(dir);
    git = gitRepo(dir);
    writeFileSync(join(dir, 'bazaarhub-checks.yaml'), CATALOG);
    asha = await person(dir, 'Asha Rao', 'asha@bazaarhub.in');
    bob = await person(dir, 'Bob Iyer', 'bob@bazaarhub.in');
    carol = await person(dir, 'Carol D', 'carol@bazaarhub.in');
    writeFileSync(signers, `# who may sign\n${asha.line.replace('roles="engineering"', 'roles="release-manager,security"')}\n${bob.line}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'signers');
  });

  it('records sign as the listed identity; a role the signer lacks is refused at attest time', async () => {
    const ok = await runCli(['attest', SEC, '--status', 'done', '--evidence', 'https://pentest/report'], { cwd: dir, env: asha.env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/done by Asha Rao <asha@bazaarhub\.in>/);
    const refused = await runCli(['attest', SEC2, '--status', 'done'], { cwd: dir, env: bob.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/may be attested only by security; Bob Iyer <bob@bazaarhub\.in> holds engineering/);
    const impostor = await runCli(['attest', GST, '--status', 'done', '--by', 'Asha Rao <asha@bazaarhub.in>'], { cwd: dir, env: bob.env });
    expect(impostor.code).toBe(2);
    expect(impostor.stderr).toMatch(/listed in .* for Bob Iyer <bob@bazaarhub\.in>; one key signs as one person/);
    expect((await runCli(['attest', GST, '--status', 'done'], { cwd: dir, env: bob.env })).code).toBe(0);
    git('add', '.');
    git('commit', '-q', '-m', 'attest');

    const results = await status(asha.env);
    expect(results.get(SEC)?.status).toBe('attested');
    expect(results.get(SEC)?.observed).toMatch(/signed with a listed personal key of Asha Rao <asha@bazaarhub\.in>/);
    expect(results.get(GST)?.status).toBe('attested');
    const list = await runCli(['list'], { cwd: dir, env: asha.env });
    expect(list.stdout).toMatch(new RegExp(`${SEC.replace(/\./g, '\\.')}\\s+attested by: security`));
    expect(list.stdout).toMatch(new RegExp(`${GST.replace(/\./g, '\\.')}\\s+attested by: any listed signer`));
  });

  it('reports a forged identity, a signer without the role and an unlisted key; none of them counts', async () => {
    const bobKey = createPrivateKey(readFileSync(bob.keyFile, 'utf8'));
    const bobSigner = { alg: 'ed25519' as const, keyId: publicKeyId(createPublicKey(bobKey)), sign: (payload: string) => sign(null, Buffer.from(payload), bobKey).toString('base64') };
    // Bob's own tooling writes a record claiming to be Asha's, and one of his own for a security item.
    await appendAttestation(ledger, input(VENDOR, { by: 'Asha Rao <asha@bazaarhub.in>', at: new Date().toISOString() }), bobSigner);
    await appendAttestation(ledger, input(SEC2, { by: 'Bob Iyer <bob@bazaarhub.in>', at: new Date().toISOString() }), bobSigner);
    // Carol's key is in nobody's list yet.
    expect((await runCli(['attest', VENDOR2, '--status', 'done'], { cwd: dir, env: carol.env })).stderr).toMatch(/is not listed in .*bazaarhub-signers/);

    const lint = await runCli(['attest', '--lint'], { cwd: dir, env: asha.env });
    expect(lint.code).toBe(1);
    const count = lines(ledger).length;
    expect(lint.stderr).toContain(`bazaarhub-attestations.jsonl:${count - 2}: unknown-signer: line ${count - 2} (${VENDOR}): unknown signer: the record claims to be by Asha Rao <asha@bazaarhub.in>, but is signed with the key of Bob Iyer <bob@bazaarhub.in>`);
    expect(lint.stderr).toMatch(new RegExp(`bazaarhub-attestations\\.jsonl:${count}: unknown-signer: .*key [0-9a-f]{16}, which bazaarhub-signers does not list`));

    const results = await status(asha.env);
    expect(results.get(VENDOR)?.status).toBe('unattested');
    expect(results.get(VENDOR2)?.status).toBe('unattested');
    expect(results.get(SEC2)?.status).toBe('unattested');
    expect(results.get(SEC2)?.observed).toMatch(/attested by a signer without the role: Bob Iyer <bob@bazaarhub\.in> \(line \d+\) holds engineering, this item needs security/);
    // A record that does not count does not distrust the ones after it.
    expect(results.get(GST)?.status).toBe('attested');
  });

  it('a signer removed later keeps what they signed; one added after the record does not vouch for it', async () => {
    git('add', '.');
    git('commit', '-q', '-m', 'records');
    // Asha leaves; Carol joins after her record was committed.
    const kept = readFileSync(signers, 'utf8').split('\n').filter((line) => !line.startsWith('asha@'));
    writeFileSync(signers, `${[...kept.filter(Boolean), carol.line].join('\n')}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'asha leaves, carol joins');

    const results = await status(bob.env);
    expect(results.get(SEC)?.status).toBe('attested');
    expect(results.get(VENDOR2)?.status).toBe('unattested');
    const lint = await runCli(['attest', '--lint'], { cwd: dir, env: bob.env });
    expect(lint.stderr).toMatch(/signer-not-valid: line \d+ \(deployment\.steps\.test-refund-flow\): signer not valid at .*Carol D <carol@bazaarhub\.in> \(bazaarhub-signers:\d\) was not listed when the record was committed/);
  });

  it('a listing outside its validity window is refused at attest time and its records do not count', async () => {
    const windowed = readFileSync(signers, 'utf8').replace(/^bob@bazaarhub\.in name="Bob Iyer",roles="engineering"/m, 'bob@bazaarhub.in name="Bob Iyer",roles="engineering",valid-before="2020-01-01"');
    writeFileSync(signers, windowed);
    const refused = await runCli(['attest', VENDOR, '--status', 'done'], { cwd: dir, env: bob.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/may sign only until 2020-01-01/);
    const bad = await runCli(['attest', '--lint'], { cwd: dir, env: bob.env });
    expect(bad.stderr).toMatch(/signer-not-valid: .*Bob Iyer <bob@bazaarhub\.in> may sign only until 2020-01-01T00:00:00\.000Z/);
  });

  it('a malformed signers file is exit 2 naming file and line', async () => {
    const text = readFileSync(signers, 'utf8');
    writeFileSync(signers, `${text}bob@bazaarhub.in roles="x" ssh-rsa AAAAB3NzaC1yc2E=\n`);
    const result = await runCli(['attest', '--lint'], { cwd: dir, env: bob.env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`bazaarhub-check: bazaarhub-signers:${text.trim().split('\n').length + 1}: key type ssh-rsa is not supported (only ssh-ed25519)`);
    writeFileSync(signers, text);
    expect(existsSync(signers)).toBe(true);
  });
});

export type { CliResult };
