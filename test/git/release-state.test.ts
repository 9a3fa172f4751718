import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import releaseState from '../../checks/git/release-state.js';
import { runProbe } from '../helpers/servers.js';

let root: string;
let upstream: string;
let serial = 0;

const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Release Bot', GIT_AUTHOR_EMAIL: 'bot@example.com', GIT_COMMITTER_NAME: 'Release Bot', GIT_COMMITTER_EMAIL: 'bot@example.com' };

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function commit(dir: string, file = 'app.js'): Promise<void> {
  serial += 1;
  await writeFile(join(dir, file), `console.log(${serial});\n`);
  git(dir, 'add', file);
  git(dir, 'commit', '-q', '-m', `change ${serial}`);
}

/** A fresh clone of the shared upstream, on main, with everything pushed. */
async function clone(name: string): Promise<string> {
  const dir = join(root, name);
  git(root, 'clone', '-q', upstream, dir);
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'git-release-'));
  upstream = join(root, 'upstream.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', upstream);
  const seed = join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  await commit(seed);
  git(seed, 'remote', 'add', 'origin', upstream);
  git(seed, 'push', '-q', '-u', 'origin', 'main');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function releasedClone(name: string, tag: string): Promise<string> {
  const dir = await clone(name);
  await commit(dir);
  git(dir, 'tag', '-a', tag, '-m', `Release ${tag}`);
  git(dir, 'push', '-q', 'origin', 'main', tag);
  return dir;
}

describe('git.release-state', () => {
  it('passes for a clean, pushed checkout with a pushed release tag', async () => {
    const dir = await releasedClone('released', 'v1.0.0');
    const finding = await runProbe(releaseState, {}, { dir });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toBe('working tree: clean; pushed: origin/main holds HEAD (asked the remote); release tag: v1.0.0');
  });

  it('fails with uncommitted or untracked changes', async () => {
    const dir = await releasedClone('dirty', 'v1.1.0');
    await writeFile(join(dir, 'notes.txt'), 'scratch\n');
    const untracked = await runProbe(releaseState, {}, { dir });
    expect(untracked.status).toBe('fail');
    expect(untracked.observed).toBe('working tree: 1 untracked file(s): notes.txt');
    expect((await runProbe(releaseState, {}, { dir, allowUntracked: true })).status).toBe('pass');
    await writeFile(join(dir, 'app.js'), 'edited\n');
    const dirty = await runProbe(releaseState, {}, { dir, allowUntracked: true });
    expect(dirty.status).toBe('fail');
    expect(dirty.observed).toBe('working tree: 1 uncommitted change(s): app.js');
  });

  it('fails when HEAD is not pushed, asking the remote or trusting the tracking ref', async () => {
    const dir = await releasedClone('unpushed', 'v1.2.0');
    await commit(dir);
    git(dir, 'tag', 'v1.2.1');
    const asked = await runProbe(releaseState, {}, { dir });
    expect(asked.status).toBe('fail');
    expect(asked.observed).toContain('pushed: origin/main does not hold HEAD (asked the remote)');
    expect(asked.observed).toContain('release tag: v1.2.1 not pushed to origin');
    const offline = await runProbe(releaseState, {}, { dir, checkRemote: false });
    expect(offline.status).toBe('fail');
    expect(offline.observed).toBe('pushed: 1 commit(s) not pushed to origin/main');
  });

  it('fails when HEAD carries no release tag', async () => {
    const dir = await clone('untagged');
    await commit(dir);
    git(dir, 'tag', 'staging-candidate');
    git(dir, 'push', '-q', 'origin', 'main', 'staging-candidate');
    const finding = await runProbe(releaseState, {}, { dir });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('release tag: HEAD carries only staging-candidate, none matching ^v?\\d+\\.\\d+\\.\\d+([-+].*)?$');
  });

  it('passes on a detached HEAD at a pushed release tag, and when the remote has moved on since', async () => {
    const dir = await releasedClone('deploy', 'v2.0.0');
    const other = await clone('other');
    await commit(other);
    git(other, 'push', '-q', 'origin', 'main');
    const moved = await runProbe(releaseState, {}, { dir });
    expect(moved.status).toBe('pass');
    expect(moved.observed).toContain('judged by the remote-tracking ref');
    git(dir, 'checkout', '-q', 'v2.0.0');
    const detached = await runProbe(releaseState, {}, { dir });
    expect(detached.status).toBe('pass');
    expect(detached.observed).toContain('pushed: HEAD is in origin/main (the remote has commits not fetched here');
    git(dir, 'fetch', '-q');
    const fetched = await runProbe(releaseState, {}, { dir });
    expect(fetched.observed).toBe('working tree: clean; pushed: origin holds HEAD (asked the remote); release tag: v2.0.0');
  });

  it('errors outside a checkout and when the remote is gone; skips without dir', async () => {
    const plain = await mkdtemp(join(root, 'plain-'));
    const notRepo = await runProbe(releaseState, {}, { dir: plain });
    expect(notRepo.status).toBe('error');
    expect(notRepo.observed).toMatch(/^checkout: not a git checkout/);
    const dir = await releasedClone('orphan', 'v3.0.0');
    git(dir, 'remote', 'set-url', 'origin', join(root, 'missing.git'));
    const gone = await runProbe(releaseState, {}, { dir });
    expect(gone.status).toBe('error');
    expect(gone.observed).toMatch(/git ls-remote origin failed/);
    expect((await runProbe(releaseState, {})).status).toBe('skipped');
  });
});
