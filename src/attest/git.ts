import { basename, dirname, relative } from 'node:path';
import { realpathSync } from 'node:fs';

/** Runs git read-only in `cwd`; null when git is absent, the folder is no repository, or the command fails. */
export async function git(cwd: string, args: string[], timeoutMs = 10_000): Promise<string | null> {
  // Loaded here, not at start-up: most runs never ask git anything (1.7 ms of every start, measured).
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout) => {
      resolve(error ? null : stdout);
    });
  });
}

/** `Name <email>` from git config, or null. */
export async function gitIdentity(cwd: string): Promise<string | null> {
  const [name, email] = await Promise.all([git(cwd, ['config', 'user.name']), git(cwd, ['config', 'user.email'])]);
  const n = name?.trim();
  const e = email?.trim();
  if (n && e) return `${n} <${e}>`;
  return n || e || null;
}

export async function headCommit(cwd: string): Promise<string | null> {
  return (await git(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD']))?.trim() || null;
}

/**
 * Release tags (matching `pattern`, a git glob) on commits that come after `commit`: tags that
 * contain it but do not point at it. Sorted oldest first by creation date. Null when git cannot tell.
 */
export async function releaseTagsAfter(cwd: string, commit: string, pattern: string): Promise<string[] | null> {
  const at = await git(cwd, ['tag', '--points-at', commit, '--list', pattern]);
  const containing = await git(cwd, ['tag', '--contains', commit, '--sort=creatordate', '--list', pattern]);
  if (at === null || containing === null) return null;
  const same = new Set(at.split('\n').filter(Boolean));
  return containing.split('\n').filter((tag) => tag && !same.has(tag));
}

/** The file's content at HEAD, or null when it is not committed (or there is no repository). */
export async function committedText(file: string): Promise<string | null> {
  const dir = dirname(file);
  const top = (await git(dir, ['rev-parse', '--show-toplevel']))?.trim();
  if (!top) return null;
  let path: string;
  try {
    path = relative(realpathSync(top), `${realpathSync(dir)}/${basename(file)}`);
  } catch {
    return null;
  }
  return git(top, ['show', `HEAD:${path.split('\\').join('/')}`]);
}
