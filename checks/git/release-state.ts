import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { gitReleaseFacts, type GitReleaseFacts } from '../../src/facts/git.js';

const MAX_PATHS = 5;

function some(paths: string[]): string {
  return `${paths.slice(0, MAX_PATHS).join(', ')}${paths.length > MAX_PATHS ? `, and ${paths.length - MAX_PATHS} more` : ''}`;
}

export interface ReleaseRules {
  tagPattern: RegExp;
  allowUntracked: boolean;
}

function judgeTree(facts: GitReleaseFacts, rules: ReleaseRules): FindingDetail {
  const subject = 'working tree';
  if (facts.changed.length > 0) return { subject, status: 'fail', observed: `${facts.changed.length} uncommitted change(s): ${some(facts.changed)}` };
  if (facts.untracked.length > 0 && !rules.allowUntracked) return { subject, status: 'fail', observed: `${facts.untracked.length} untracked file(s): ${some(facts.untracked)}` };
  return { subject, status: 'pass', observed: facts.untracked.length > 0 ? `clean apart from ${facts.untracked.length} untracked file(s)` : 'clean' };
}

function judgePushed(facts: GitReleaseFacts): FindingDetail {
  const subject = 'pushed';
  const where = facts.upstream ?? facts.remote ?? 'a remote';
  const check = facts.remoteCheck;
  if (check && 'error' in check) return { subject, status: 'error', observed: check.error };
  if (check && check.pushed === true) return { subject, status: 'pass', observed: `${where} holds HEAD (asked the remote)` };
  if (check && check.pushed === false) return { subject, status: 'fail', observed: `${where} does not hold HEAD (asked the remote)` };
  // No remote answer (or the remote has commits not fetched here): judge by the remote-tracking refs.
  const stale = check?.pushed === 'unknown' ? ' (the remote has commits not fetched here; judged by the remote-tracking ref)' : '';
  if (facts.upstream !== undefined && facts.aheadOfTracking !== undefined) {
    return facts.aheadOfTracking === 0
      ? { subject, status: 'pass', observed: `HEAD is in ${facts.upstream}${stale}` }
      : { subject, status: 'fail', observed: `${facts.aheadOfTracking} commit(s) not pushed to ${facts.upstream}${stale}` };
  }
  if (facts.trackingContaining.length > 0) return { subject, status: 'pass', observed: `HEAD is in ${some(facts.trackingContaining)}${stale}` };
  if (!facts.remote) return { subject, status: 'fail', observed: 'the checkout has no remote' };
  return { subject, status: 'fail', observed: `HEAD${facts.branch ? ` (${facts.branch})` : ' (detached)'} is on no remote branch` };
}

function judgeTag(facts: GitReleaseFacts, rules: ReleaseRules): FindingDetail {
  const subject = 'release tag';
  const releaseTags = facts.tags.filter((tag) => rules.tagPattern.test(tag));
  if (releaseTags.length === 0) {
    return { subject, status: 'fail', observed: facts.tags.length > 0 ? `HEAD carries only ${facts.tags.join(', ')}, none matching ${rules.tagPattern.source}` : 'HEAD carries no tag' };
  }
  const check = facts.remoteCheck;
  if (check && !('error' in check)) {
    const unpushed = releaseTags.filter((tag) => !check.tags.includes(tag));
    if (unpushed.length === releaseTags.length) return { subject, status: 'fail', observed: `${releaseTags.join(', ')} not pushed to ${facts.remote}` };
  }
  return { subject, status: 'pass', observed: releaseTags.join(', ') };
}

/** Three details: a clean working tree, HEAD on the remote, and a release tag on HEAD (pushed, when the remote was asked). */
export function judgeRelease(facts: GitReleaseFacts, rules: ReleaseRules): FindingDetail[] {
  if (facts.error !== undefined) return [{ subject: 'checkout', status: 'error', observed: facts.error }];
  return [judgeTree(facts, rules), judgePushed(facts), judgeTag(facts, rules)];
}

export default defineProbe({
  id: 'git.release-state',
  sends: { to: 'the checkout\'s git remote (not the deployment)', what: '`git status` locally and one `git ls-remote --heads --tags` to the upstream remote (unless checkRemote is false)', effect: 'none' },
  title: 'Release checkout is committed, pushed and tagged',
  description:
    'The application\'s checkout (param dir) has no uncommitted changes, its HEAD is on its upstream (asked with git ls-remote unless checkRemote is false), and HEAD carries a release tag matching tagPattern.',
  params: z.object({
    /** The application's git checkout being released. */
    dir: z.string().default(''),
    /** A regular expression a release tag matches (default: semver, with an optional v). */
    tagPattern: z.string().default('^v?\\d+\\.\\d+\\.\\d+([-+].*)?$'),
    allowUntracked: z.boolean().default(false),
    /** Ask the remote (git ls-remote, read-only) rather than trusting the last fetch. */
    checkRemote: z.boolean().default(true),
  }),
  remediation: 'Commit or stash every change, push the branch (`git push`), tag the release (`git tag -a v1.2.3 -m "Release 1.2.3"`) and push the tag (`git push origin v1.2.3`).',
  suggests: [{ match: /code committed and pushed/i, severity: 'high' }],
  async run(ctx, params): Promise<Finding> {
    const expected = 'no uncommitted changes, HEAD pushed to its upstream, a release tag on HEAD';
    if (!params.dir) return { status: 'skipped', observed: 'no checkout: set the catalog param dir to the application\'s git checkout', expected };
    let tagPattern: RegExp;
    try {
      tagPattern = new RegExp(params.tagPattern);
    } catch {
      return { status: 'error', observed: `tagPattern ${params.tagPattern} is not a valid regular expression`, expected };
    }
    const facts = await gitReleaseFacts(ctx, params.dir, params.checkRemote);
    const head = facts.head ? ` at ${facts.head.slice(0, 12)}` : '';
    return combine(judgeRelease(facts, { tagPattern, allowUntracked: params.allowUntracked }), `${params.dir}${head}: ${expected}`);
  },
});
