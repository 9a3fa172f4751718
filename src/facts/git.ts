import { execFile } from 'node:child_process';
import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { gatherSignal } from './api.js';

/** What a checkout says about itself and, when asked, what its remote says. */
export interface GitReleaseFacts {
  /** Set when the directory is not a usable git checkout. */
  error?: string;
  head?: string;
  branch?: string;
  /** Tracked files with changes (staged or not), and untracked files (porcelain v1 paths). */
  changed: string[];
  untracked: string[];
  /** `origin/main`, when the branch tracks one. */
  upstream?: string;
  remote?: string;
  /** HEAD's commits not in the upstream's remote-tracking ref (as last fetched). */
  aheadOfTracking?: number;
  /** Refs of remote-tracking branches containing HEAD (for a detached HEAD). */
  trackingContaining: string[];
  /** What `git ls-remote` said: whether the remote branch holds HEAD, and the remote's tags. */
  remoteCheck?: { pushed: boolean | 'unknown'; tags: string[] } | { error: string };
  /** Tags pointing at HEAD. */
  tags: string[];
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function git(dir: string, args: string[], signal: AbortSignal): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-C', dir, ...args],
      {
        signal,
        maxBuffer: 16 * 1024 * 1024,
        // Read-only: no index refresh writes, never prompt for credentials.
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo', SSH_ASKPASS: 'echo', GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes', LC_ALL: 'C' },
      },
      (error, stdout, stderr) => {
        if (error && typeof (error as { code?: unknown }).code !== 'number') return reject(error);
        resolve({ code: error ? Number((error as { code?: unknown }).code) : 0, stdout, stderr });
      },
    );
  });
}

function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
}

/**
 * Gathers a checkout's release state with plain git commands; with `checkRemote`, one
 * `git ls-remote` asks the remote itself (not the possibly stale remote-tracking refs) whether it
 * holds HEAD and the tags.
 */
export function gitReleaseFacts(ctx: ProbeContext, dir: string, checkRemote: boolean): Promise<GitReleaseFacts> {
  return ctx.facts.once(`git ${dir} ${checkRemote}`, async () => {
    const signal = gatherSignal(ctx);
    const run = (...args: string[]) => git(dir, args, signal);
    const facts: GitReleaseFacts = { changed: [], untracked: [], trackingContaining: [], tags: [] };
    try {
      const inside = await run('rev-parse', '--is-inside-work-tree');
      if (inside.code !== 0 || inside.stdout.trim() !== 'true') return { ...facts, error: `not a git checkout (${lines(inside.stderr)[0] ?? 'no work tree'})` };
      const head = await run('rev-parse', '--verify', '-q', 'HEAD');
      if (head.code !== 0) return { ...facts, error: 'the checkout has no commits' };
      facts.head = head.stdout.trim();
      for (const line of lines((await run('status', '--porcelain=v1', '--untracked-files=normal')).stdout)) {
        if (line.startsWith('?? ')) facts.untracked.push(line.slice(3));
        else facts.changed.push(line.slice(3));
      }
      const branch = await run('symbolic-ref', '-q', '--short', 'HEAD');
      if (branch.code === 0) facts.branch = branch.stdout.trim();
      facts.tags = lines((await run('tag', '--points-at', 'HEAD')).stdout);
      const upstream = await run('rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}');
      if (upstream.code === 0 && facts.branch) {
        facts.upstream = upstream.stdout.trim();
        facts.remote = (await run('config', '--get', `branch.${facts.branch}.remote`)).stdout.trim() || undefined;
        const ahead = await run('rev-list', '--count', '@{upstream}..HEAD');
        if (ahead.code === 0) facts.aheadOfTracking = Number(ahead.stdout.trim());
      } else {
        facts.trackingContaining = lines((await run('for-each-ref', '--contains', 'HEAD', '--format=%(refname:short)', 'refs/remotes')).stdout).filter((ref) => !ref.endsWith('/HEAD'));
        const remotes = lines((await run('remote')).stdout);
        facts.remote = remotes.includes('origin') ? 'origin' : remotes[0];
      }
      if (checkRemote && facts.remote) facts.remoteCheck = await askRemote(ctx, run, facts);
      return facts;
    } catch (error) {
      return { ...facts, error: errorMessage(error) };
    }
  });
}

async function askRemote(ctx: ProbeContext, run: (...args: string[]) => Promise<Result>, facts: GitReleaseFacts): Promise<GitReleaseFacts['remoteCheck']> {
  ctx.facts.countContact('git-remote', facts.remote as string);
  const listed = await run('ls-remote', '--heads', '--tags', facts.remote as string);
  if (listed.code !== 0) return { error: `git ls-remote ${facts.remote} failed: ${lines(listed.stderr).at(-1) ?? `exit ${listed.code}`}` };
  const refs = lines(listed.stdout).map((line) => {
    const [sha = '', ref = ''] = line.split('\t');
    return { sha, ref };
  });
  const tags = [...new Set(refs.filter((r) => r.ref.startsWith('refs/tags/')).map((r) => r.ref.slice('refs/tags/'.length).replace(/\^\{\}$/, '')))];
  const upstreamBranch = facts.upstream?.slice((facts.remote as string).length + 1);
  const candidates = refs.filter((r) => r.ref.startsWith('refs/heads/') && (upstreamBranch === undefined || r.ref === `refs/heads/${upstreamBranch}`));
  if (candidates.some((r) => r.sha === facts.head)) return { pushed: true, tags };
  let unknown = false;
  for (const candidate of candidates) {
    const ancestor = await run('merge-base', '--is-ancestor', facts.head as string, candidate.sha);
    if (ancestor.code === 0) return { pushed: true, tags };
    // 1: not an ancestor; otherwise the remote commit is not here (not fetched): cannot tell.
    if (ancestor.code !== 1) unknown = true;
  }
  return { pushed: unknown ? 'unknown' : false, tags };
}
