import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gitIdentity } from '../../attest/git.js';
import type { Signer } from '../../attest/keys.js';
import { configDir, createPersonalKey, keyFileSigner, personalKeyPath } from '../../attest/personal-key.js';
import { signersLine } from '../../attest/service.js';
import { emailOf, signersBeside } from '../../attest/signers.js';
import { LEDGER_FILE } from '../../attest/ledger.js';
import { catalogFromText, loadCatalog } from '../../catalog/load.js';
import { readChecklist } from '../../checklist/read.js';
import { loadRegistry } from '../../engine/registry.js';
import { curatedCatalog } from '../../init/catalog.js';
import { CI_CHOICES, GITLAB_ROOT, ciFiles, type CiChoice } from '../../init/ci.js';
import { envTemplate } from '../../init/env-template.js';
import { isInside } from '../../init/keys.js';
import { ExitCode, InputError } from '../../util/errors.js';
import { CATALOG_FILE, bundledCatalog, findChecklist } from '../inputs.js';
import { canPrompt } from './attest.js';

export interface InitFlags {
  catalog?: string;
  checklist?: string;
  ci?: string;
  /** Who is listed in the signers file (default: git config user.name and user.email). */
  by?: string;
  roles?: string;
}

const ENV_FILE = '.env.production';

/**
 * Sets up an application repository: catalog (bundled curation applied), ledger, public key, env
 * template and CI. Every step leaves an existing file alone, so a second run changes nothing.
 */
export async function initCommand(flags: InitFlags, cwd = process.cwd()): Promise<number> {
  if (flags.ci !== undefined && !(CI_CHOICES as readonly string[]).includes(flags.ci)) throw new InputError(`--ci ${flags.ci}: expected one of ${CI_CHOICES.join(', ')}`);
  const checklistFile = flags.checklist ?? findChecklist(cwd);
  if (!checklistFile) throw new InputError('no checklist found (looked for DEPLOYMENT_CHECKLIST.md, checklists/deployment.md and docs/*checklist*.md): pass --checklist FILE');
  const keyDir = configDir(process.env);
  if (isInside(keyDir, cwd)) throw new InputError(`XDG_CONFIG_HOME puts the personal signing key (${keyDir}) inside the repository, where it could be committed: point it elsewhere`);
  const identity = flags.by ?? (await gitIdentity(cwd));
  if (!identity || !emailOf(identity)) throw new InputError('init lists you in the signers file: pass --by "Name <email>" or set git config user.name and user.email');
  const catalogFile = flags.catalog ?? CATALOG_FILE;
  const at = (file: string) => join(cwd, file);
  const created: string[] = [];
  const kept: string[] = [];
  const say = (text: string) => process.stdout.write(`${text}\n`);

  const registry = await loadRegistry();
  let entries;
  if (existsSync(at(catalogFile))) {
    kept.push(catalogFile);
    say(`kept     ${catalogFile} (exists; \`bazaarhub-check catalog sync\` updates it from the checklist)`);
    entries = (await loadCatalog(at(catalogFile), registry)).catalog.entries;
  } else {
    const checklist = await readChecklist(at(checklistFile));
    const ref = relative(dirname(at(catalogFile)), at(checklistFile)).split('\\').join('/');
    const bundled = (await loadCatalog(bundledCatalog(), registry)).catalog.entries;
    const catalog = curatedCatalog(checklist, ref, [...registry.values()], bundled);
    // Validated from memory before anything is written, like `catalog sync`.
    entries = catalogFromText(catalog.text, catalogFile, registry).catalog.entries;
    mkdirSync(dirname(at(catalogFile)), { recursive: true });
    writeFileSync(at(catalogFile), catalog.text);
    created.push(catalogFile);
    const automated = entries.filter((entry) => entry.probe).length;
    say(`created  ${catalogFile} from ${checklistFile}: ${entries.length} entries (${automated} automated); ${catalog.curated} took probe, params and severity from the BazaarHub curation, ${catalog.inferred} were inferred`);
  }

  const ledgerFile = join(dirname(catalogFile), LEDGER_FILE);
  if (existsSync(at(ledgerFile))) {
    kept.push(ledgerFile);
    say(`kept     ${ledgerFile}`);
  } else {
    writeFileSync(at(ledgerFile), '');
    created.push(ledgerFile);
    say(`created  ${ledgerFile} (the attestation ledger: append-only, commit it)`);
  }

  const signersFile = signersBeside(ledgerFile);
  let keyFile = personalKeyPath(process.env);
  if (existsSync(at(signersFile))) {
    kept.push(signersFile);
    say(`kept     ${signersFile}`);
  } else {
    let signer;
    if (existsSync(keyFile)) {
      signer = await keyFileSigner(keyFile);
      say(`using    ${keyFile} (your personal signing key)`);
    } else {
      signer = createPersonalKey(process.env);
      keyFile = signer.source;
      say(`created  ${keyFile} (your personal signing key, mode 0600, outside the repository: never commit it)`);
    }
    writeFileSync(at(signersFile), `# Who may sign attestations (git's allowed_signers format plus roles=); see the README.\n${signersLine(identity, signer as unknown as Signer, flags.roles ?? 'release-manager')}\n`);
    created.push(signersFile);
    say(`created  ${signersFile} listing ${identity} as ${flags.roles ?? 'release-manager'} (commit it: it says whose signatures count)`);
  }

  if (existsSync(at(ENV_FILE))) {
    kept.push(ENV_FILE);
    say(`kept     ${ENV_FILE} (never read or changed by init)`);
  } else {
    const template = envTemplate(entries);
    writeFileSync(at(ENV_FILE), template.text, { mode: 0o600 });
    created.push(ENV_FILE);
    say(`created  ${ENV_FILE}: a template naming the ${template.variables.length} variables the catalog's probes read (no values)`);
  }
  if (ensureIgnored(cwd, ENV_FILE)) {
    created.push('.gitignore');
    say(`updated  .gitignore: ${ENV_FILE} holds secrets once filled in`);
  }

  const ciWritten = ciFiles('github').concat(ciFiles('gitlab')).filter((file) => existsSync(at(file.path)));
  for (const file of ciWritten) if (!flags.ci) {
    kept.push(file.path);
    say(`kept     ${file.path}`);
  }
  let choice: CiChoice;
  if (flags.ci) choice = flags.ci as CiChoice;
  else if (ciWritten.length) choice = 'none';
  else if (canPrompt()) {
    const { select } = await import('@inquirer/prompts');
    choice = await select<CiChoice>({
      message: 'Which CI should run bazaarhub-check?',
      choices: [
        { name: 'GitHub Actions (.github/workflows/bazaarhub-check.yml)', value: 'github' },
        { name: 'GitLab CI (.gitlab/bazaarhub-check.gitlab-ci.yml)', value: 'gitlab' },
        { name: 'none for now', value: 'none' },
      ],
    });
  } else choice = 'none';
  for (const file of ciFiles(choice)) {
    if (existsSync(at(file.path))) {
      kept.push(file.path);
      say(`kept     ${file.path}`);
      continue;
    }
    mkdirSync(dirname(at(file.path)), { recursive: true });
    writeFileSync(at(file.path), file.text);
    created.push(file.path);
    say(`created  ${file.path}`);
  }
  if (choice === 'gitlab') {
    if (!existsSync(at('.gitlab-ci.yml'))) {
      writeFileSync(at('.gitlab-ci.yml'), GITLAB_ROOT);
      created.push('.gitlab-ci.yml');
      say('created  .gitlab-ci.yml (includes the bazaarhub-check job)');
    } else if (!readFileSync(at('.gitlab-ci.yml'), 'utf8').includes('.gitlab/bazaarhub-check.gitlab-ci.yml')) {
      say('note     .gitlab-ci.yml exists and was left alone: add `include: [{ local: .gitlab/bazaarhub-check.gitlab-ci.yml }]` to it');
    }
  }
  if (!flags.ci && !ciWritten.length && choice === 'none' && !canPrompt()) say('note     no CI set up: pass --ci github or --ci gitlab (on a terminal, init asks)');

  if (created.length === 0) say(`Nothing changed: this repository is already set up for bazaarhub-check (${kept.length} files kept as they are).`);
  const toCommit = [catalogFile, ledgerFile, signersFile, ...ciFiles('github').concat(ciFiles('gitlab')).map((file) => file.path).filter((path) => existsSync(at(path))), ...(created.includes('.gitlab-ci.yml') ? ['.gitlab-ci.yml'] : []), ...(created.includes('.gitignore') ? ['.gitignore'] : [])];
  say('');
  say('Next:');
  say(`  1. fill in ${ENV_FILE}, then:  npx bazaarhub-check run --env-file ${ENV_FILE}`);
  say('  2. record the manual items:   npx bazaarhub-check attest   (signs with your personal key)');
  say(`  3. commit the set-up:         git add ${toCommit.join(' ')} && git commit -m "Add bazaarhub-check"`);
  return ExitCode.Ready;
}

/** Appends `file` to .gitignore unless git (or .gitignore itself) already ignores it; true when it wrote. */
function ensureIgnored(cwd: string, file: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', file], { cwd, stdio: 'ignore' });
    return false;
  } catch {
    // not ignored, or not a git repository: look at .gitignore itself
  }
  const gitignore = join(cwd, '.gitignore');
  const text = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  if (text.split(/\r?\n/).some((line) => line.trim() === file || line.trim() === `/${file}`)) return false;
  appendFileSync(gitignore, `${text && !text.endsWith('\n') ? '\n' : ''}${file}\n`);
  return true;
}
