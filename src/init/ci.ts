import { readFileSync } from 'node:fs';
import { packageRoot } from '../util/paths.js';
import { toolVersion } from '../util/version.js';

export const CI_CHOICES = ['github', 'gitlab', 'none'] as const;
export type CiChoice = (typeof CI_CHOICES)[number];

/** The GitHub Action in this repository (action.yml), pinned to the tool's own version. */
export function actionRef(): string {
  return `bazaarhub/bazaarhub-check@v${toolVersion()}`;
}

export interface CiFile {
  path: string;
  text: string;
}

/** The files `init --ci` writes into the application's repository. */
export function ciFiles(choice: CiChoice): CiFile[] {
  const template = (file: string) => readFileSync(`${packageRoot()}/ci/${file}`, 'utf8');
  if (choice === 'github') return [{ path: '.github/workflows/bazaarhub-check.yml', text: template('github/workflow.yml').replace('ACTION_REF', actionRef()) }];
  if (choice === 'gitlab') return [{ path: '.gitlab/bazaarhub-check.gitlab-ci.yml', text: template('gitlab/bazaarhub-check.gitlab-ci.yml') }];
  return [];
}

/** A .gitlab-ci.yml that includes the template, for a repository that has none yet. */
export const GITLAB_ROOT = `include:\n  - local: .gitlab/bazaarhub-check.gitlab-ci.yml\n`;
