import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, InputError, errorMessage } from '../util/errors.js';
import { installInterruptHandler } from '../util/interrupt.js';
import { flushRedactedStreams, redactStandardStreams } from '../util/redact.js';
import { toolVersion } from '../util/version.js';
import { withInputs, withSyncInputs } from './inputs.js';

export const EXIT_CODES = `
Exit codes:
  0  ready        something was verified, nothing blocking failed, every required attestation is
                  current, and no blocking check was skipped (waived findings do not block)
  1  not ready    a blocking check failed, or a required manual item lacks a current attestation
                  (--fail-on critical|high|medium|low sets which severities block; default high)
  2  input error  bad flag, catalog, checklist or env file (one line names the file and line or the flag)
  3  incomplete   nothing blocking failed, but some probe could not run (unreachable, timed out,
                  crashed, interrupted), a blocking check was skipped (not configured: set what it
                  names, or attest it not-applicable), or nothing at all was verified
`;

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
/** For flags whose value may itself hold commas (`--set CORS_ORIGIN=https://a.in,https://b.in`): repeatable, never split. */
const collectWhole = (value: string, previous: string[] = []): string[] => [...previous, value];

function positiveInt(flag: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError(`${flag} expects a positive whole number`);
    return number;
  };
}

function wholeNumber(flag: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) throw new InvalidArgumentError(`${flag} expects a whole number of requests, 0 or more`);
    return number;
  };
}

function seconds(value: string): number {
  const number = Number(value.replace(/s$/, ''));
  if (!Number.isFinite(number) || number <= 0 || number > 3600) throw new InvalidArgumentError('--timeout expects seconds between 0 and 3600, e.g. 10 or 2.5');
  return Math.round(number * 1000);
}

function selectionOptions(command: Command): Command {
  return command
    .option('--phase <phase>', 'only entries of this phase (repeatable, comma-separated)', collect)
    .option('--section <section>', 'only entries of this section (repeatable)', collect)
    .addOption(new Option('--cadence <cadence>', 'only entries of this cadence (repeatable)').argParser(collect))
    .option('--only <id>', 'entry id, probe id (http.hsts) or a prefix of either (repeatable)', collect)
    .option('--no-manual', 'leave manual (attestation) items out');
}

/** The flags of `run`; `demo` makes its own deployment and reads no ledger, so it offers only the rest. */
function runOptions(command: Command, { demo = false } = {}): Command {
  if (!demo) {
    command
      .option('--env-file <file>', "the deployment's env file, e.g. .env.production")
      .option('--env <file>', 'the same as --env-file, for `node bin/...` and `npx` without `--`, where Node itself claims --env-file')
      .option('--environment <name>', "a catalog environment (its env file, variables and overrides); repeat to compare several side by side", collect)
      .option('--set <KEY=VALUE>', 'override one variable (repeatable; commas belong to the value); wins over the env file and process env', collectWhole);
  }
  command
    // The demo's deployment shares the process (and the CPU) with the probes: fewer at once and a longer
    // timeout keep its latency-judged statuses from depending on how busy the machine is.
    .addOption(new Option('--timeout <seconds>', 'per-probe timeout in seconds').argParser(seconds).default(demo ? 30_000 : 10_000, demo ? '30' : '10'))
    .option('--concurrency <n>', 'probes running at once', positiveInt('--concurrency'), demo ? 16 : 256)
    .option('--max-requests <n>', 'at most this many deliberate requests (latency samples, bursts, attack shapes, CORS exchanges, webhook deliveries); entries that do not fit are skipped, in catalog order', wholeNumber('--max-requests'))
    .option('--attempts <n>', 'tries for a reachability contact (HTTP GET, TLS handshake, database connect) after a network error or timeout, within --timeout', positiveInt('--attempts'), 2)
    .addOption(new Option('--format <format>', 'report format on stdout (or --out): terminal, json, markdown, junit, sarif, html, checklist, codequality, prometheus').default('terminal'))
    .option('--out <file>', 'write the --format report to this file (the terminal summary still prints)')
    .option('--report <format=file>', 'also write a report in another format to a file (repeatable)', collect)
    .addOption(new Option('--fail-on <severity>', 'lowest severity that blocks').choices(['critical', 'high', 'medium', 'low']).default('high'))
    .option('--ca <file>', 'extra trusted CA certificate (PEM), repeatable', collect)
    .option('--insecure', 'turn TLS verification off (reports say so at the top)', false)
    .option('--allow-commands <names>', 'let the `command` probe run these programs (comma-separated, `*` for any; also BAZAARHUB_ALLOW_COMMANDS); a catalog cannot enable them', collect)
    .option('--verbose', 'list every result, including passes and manual items', false)
    .option('--quiet', 'no progress output', false);
  if (demo) return command;
  return command
    .option('--ledger <file>', 'attestation ledger (default: bazaarhub-attestations.jsonl beside the catalog)')
    .option('--warn-days <days>', 'warn about attestations that expire within this many days (0: off)', (v) => Number(v), 7)
    .option('--release-tags <glob>', 'git tags that end per-release attestations', 'v*');
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('bazaarhub-check')
    .description('Turns the BazaarHub deployment checklist into executable checks, attestations and a release verdict.')
    .version(toolVersion(), '-V, --version')
    .option('--catalog <file>', 'check catalog (default: ./bazaarhub-checks.yaml, else the bundled BazaarHub catalog)')
    .option('--checklist <file>', "markdown checklist (default: the one the catalog names, else ./DEPLOYMENT_CHECKLIST.md, else the bundled one)")
    .option('--no-color', 'no colours (also NO_COLOR)')
    .addHelpText('after', EXIT_CODES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`bazaarhub-check: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
    });

  runOptions(selectionOptions(program.command('run').description('run the selected checks against a deployment and print the verdict'))).action(async (_options, command: Command) => {
    const { runCommand } = await import('./commands/run.js');
    setExit(await runCommand(withInputs(command.optsWithGlobals())));
  });

  runOptions(selectionOptions(program.command('demo')).description('start a local stand-in BazaarHub deployment and run the full catalog against it'), { demo: true }).action(async (_options, command: Command) => {
    const { demoCommand } = await import('./commands/demo.js');
    setExit(await demoCommand(withInputs(command.optsWithGlobals())));
  });

  selectionOptions(program.command('list').description('show what `run` would check, with filters'))
    .option('--json', 'machine-readable list', false)
    .action(async (_options, command: Command) => {
      const { listCommand } = await import('./commands/list.js');
      setExit(await listCommand(withInputs(command.optsWithGlobals())));
    });

  program
    .command('probes')
    .description('list the registered probes with their params and defaults')
    .option('--json', 'machine-readable list', false)
    .action(async (_options, command: Command) => {
      const { probesCommand } = await import('./commands/probes.js');
      setExit(await probesCommand(command.optsWithGlobals()));
    });

  program
    .command('init')
    .description("set up an application repository: catalog from its checklist, ledger and key, .env.production template, CI")
    .addOption(new Option('--ci <ci>', 'CI to set up (on a terminal init asks)').choices(['github', 'gitlab', 'none']))
    .option('--by <identity>', 'who is listed in the signers file, "Name <email>" (default: git config user.name and user.email)')
    .option('--roles <roles>', 'roles= of that listing in the signers file', 'release-manager')
    .action(async (_options, command: Command) => {
      const { initCommand } = await import('./commands/init.js');
      setExit(await initCommand(command.optsWithGlobals()));
    });

  const catalog = program.command('catalog').description('keep the catalog in sync with the checklist');
  catalog
    .command('sync')
    .description('create or update the catalog from the checklist, keeping hand edits')
    .option('--adopt-probes', 'switch manual entries to a probe that now verifies them', false)
    .option('--rename <OLD=NEW>', 'settle a possible rename: the entry OLD moves to the reworded item NEW (repeatable)', collect)
    .option('--prune', 'remove vanished entries that carry no hand edits', false)
    .action(async (_options, command: Command) => {
      const { catalogSyncCommand } = await import('./commands/catalog.js');
      setExit(await catalogSyncCommand(withSyncInputs(command.optsWithGlobals())));
    });
  catalog
    .command('check')
    .description('exit 1 naming each item where checklist and catalog disagree (for CI)')
    .action(async (_options, command: Command) => {
      const { catalogCheckCommand } = await import('./commands/catalog.js');
      setExit(await catalogCheckCommand(withSyncInputs(command.optsWithGlobals())));
    });
  catalog
    .command('schema')
    .description("print the catalog's JSON Schema (for editor completion)")
    .action(async () => {
      const { catalogSchemaCommand } = await import('./commands/catalog.js');
      setExit(await catalogSchemaCommand());
    });

  program
    .command('attest')
    .description('record who verified manual items: prompts on a terminal, flags only without one or under CI')
    .argument('[id...]', 'catalog entry ids (on a terminal: default every manual item that is unattested or expired)')
    .addOption(new Option('--status <status>', 'outcome').choices(['done', 'not-applicable', 'waived']))
    .option('--by <who>', 'who attests (default: git user.name <user.email>)')
    .option('--evidence <url-or-path>', 'link or file that shows it was done')
    .option('--note <text>', 'free note')
    .option('--expires <date>', 'valid until this UTC day, inclusive (YYYY-MM-DD); default from the cadence')
    .option('--reason <text>', 'why it is not applicable')
    .option('--justification <text>', 'why it is waived')
    .option('--ledger <file>', 'attestation ledger (default: bazaarhub-attestations.jsonl beside the catalog)')
    .option('--phase <phase>', 'walk only this phase (repeatable)', collect)
    .option('--section <section>', 'walk only this section (repeatable)', collect)
    .option('--cadence <cadence>', 'walk only this cadence (repeatable)', collect)
    .option('--all', 'walk current attestations too', false)
    .option('--lint', 'verify the ledger: exit 0 intact, 1 tampered or truncated', false)
    .option('--new-key', 'create a personal Ed25519 signing key in $XDG_CONFIG_HOME/bazaarhub-check/ and print its signers-file line', false)
    .option('--ssh-key <file>', 'sign with this Ed25519 key (OpenSSH or PEM; remembered for next time)')
    .option('--ssh-agent', "sign with ssh-agent's Ed25519 key (SSH_AUTH_SOCK; remembered)", false)
    .addHelpText(
      'after',
      `
Signing keys (records are signed and hash-chained), first that applies:
  --ssh-key FILE / --ssh-agent  a key you name (remembered in $XDG_CONFIG_HOME/bazaarhub-check/)
  BAZAARHUB_ATTEST_PRIVATE_KEY  Ed25519 private key, PEM text or file path (CI: a secret variable)
  personal key                  $XDG_CONFIG_HOME/bazaarhub-check/attest-ed25519.pem (attest --new-key)
  BAZAARHUB_ATTEST_KEY          shared HMAC-SHA256 secret, 32+ characters (signs and verifies)
Who counts: bazaarhub-signers beside the ledger lists each signer (email, name, roles, validity
and public key, like git's allowed_signers); with it, a record counts only when signed by the
key listed for the identity it claims, and entries with attesters: need a signer with the role.
  BAZAARHUB_ATTEST_PUBLIC_KEY   Ed25519 public key, PEM text or file path (verifies; default
                                bazaarhub-attest.pub.pem beside the ledger)
Exit codes: 0 recorded / ledger intact · 1 ledger tampered or truncated · 2 bad input or missing flag`,
    )
    .action(async (ids: string[], _options, command: Command) => {
      const { attestCommand } = await import('./commands/attest.js');
      setExit(await attestCommand(ids, withInputs(command.optsWithGlobals())));
    });

  program
    .command('waive')
    .description('accept a known risk for an automated entry until a date: recorded, with the finding it covers, in the signed ledger')
    .argument('<id>', 'catalog entry id of an automated check')
    .option('--justification <text>', 'why this risk is accepted (required)')
    .option('--expires <date>', 'last UTC day the waiver holds, YYYY-MM-DD (required; at most the catalog\'s waiverMaxDays, default 90, ahead)')
    .option('--by <who>', 'who accepts the risk (default: git user.name <user.email>)')
    .option('--evidence <url-or-path>', 'ticket or decision record')
    .option('--note <text>', 'free note')
    .option('--from <report.json>', 'take the finding from a JSON report instead of running the check now')
    .option('--env-file <file>', "the deployment's env file, to run the check now")
    .option('--set <KEY=VALUE>', 'override one variable (repeatable)', collect)
    .addOption(new Option('--timeout <seconds>', 'probe timeout in seconds').argParser(seconds).default(10_000, '10'))
    .option('--ca <file>', 'extra trusted CA certificate (PEM), repeatable', collect)
    .option('--insecure', 'turn TLS verification off', false)
    .option('--ledger <file>', 'attestation ledger (default: bazaarhub-attestations.jsonl beside the catalog)')
    .addHelpText('after', '\nThe waiver covers the finding seen now (status and observed text, numbers aside): a different finding is not covered.\nExit codes: 0 recorded · 1 ledger damaged · 2 bad input, a passing check, or a missing flag')
    .action(async (id: string, _options, command: Command) => {
      const { waiveCommand } = await import('./commands/waive.js');
      setExit(await waiveCommand(id, withInputs(command.optsWithGlobals())));
    });

  program
    .command('approve')
    .description("record a signed approval of a run's JSON report, or check one (--verify) before a deploy acts on it")
    .argument('<report>', 'the JSON report (run --format json --out report.json)')
    .option('--role <role>', 'the role you approve in (with --verify: required roles, repeatable; default the catalog\'s approvals.roles, else release-manager)', collect)
    .option('--verify', 'exit 0 when this exact report is approved by every required role, 1 otherwise', false)
    .option('--override', 'approve a report whose verdict is not READY (needs --justification)', false)
    .option('--justification <text>', 'why a NOT READY report is approved anyway')
    .option('--by <who>', 'who approves (default: the listed identity of your key, else git user.name <user.email>)')
    .option('--ssh-key <file>', 'sign with this Ed25519 key (OpenSSH or PEM)')
    .option('--ssh-agent', "sign with ssh-agent's Ed25519 key", false)
    .option('--ledger <file>', 'attestation ledger (default: bazaarhub-attestations.jsonl beside the catalog)')
    .addHelpText('after', '\nExit codes: 0 recorded / approved and unchanged · 1 (--verify) not approved by every required role, or the report changed · 2 bad input')
    .action(async (report: string, _options, command: Command) => {
      const { approveCommand } = await import('./commands/approve.js');
      setExit(await approveCommand(report, withInputs(command.optsWithGlobals())));
    });

  program
    .command('due')
    .description('what turns red next: attestations, waivers, per-release items, secret rotation and TLS certificates, soonest first')
    .addOption(new Option('--days <n>', 'look this many days ahead').argParser((v) => Number(v)).default(30))
    .addOption(new Option('--format <format>', 'terminal, json or ics (one calendar event per item)').default('terminal'))
    .option('--out <file>', 'write to this file (atomically) instead of stdout')
    .option('--report <file>', "certificates from an earlier run's JSON report")
    .option('--env-file <file>', 'or: look at the certificates live (one handshake per host)')
    .option('--set <KEY=VALUE>', 'override one variable (repeatable)', collect)
    .option('--ca <file>', 'extra trusted CA certificate (PEM), repeatable', collect)
    .addOption(new Option('--timeout <seconds>', 'handshake timeout in seconds').argParser(seconds).default(10_000, '10'))
    .option('--ledger <file>', 'attestation ledger (default: bazaarhub-attestations.jsonl beside the catalog)')
    .option('--release-tags <glob>', 'git tags that end per-release attestations', 'v*')
    .action(async (_options, command: Command) => {
      const { dueCommand } = await import('./commands/due.js');
      setExit(await dueCommand(withInputs(command.optsWithGlobals())));
    });

  program
    .command('diff')
    .description('compare two JSON reports: regressed, fixed, new, removed (exit 1 when something regressed)')
    .argument('<old>', 'earlier report (run --format json --out old.json)')
    .argument('<new>', 'later report')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .action(async (oldFile: string, newFile: string, _options, command: Command) => {
      const { diffCommand } = await import('./commands/diff.js');
      setExit(await diffCommand(oldFile, newFile, command.opts()));
    });

  return program;
}

/** Runs the CLI and returns the exit code; never throws, never prints a stack trace. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.Ready;
  redactStandardStreams();
  installInterruptHandler();
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.Ready;
    }
    // `nosuch --help` is an unknown command, not a request for the main help: let commander say so (with a suggestion).
    const known = new Set(program.commands.flatMap((command) => [command.name(), ...command.aliases()]));
    const first = argv[0] as string;
    const args = !first.startsWith('-') && !known.has(first) && first !== 'help' ? argv.filter((arg) => arg !== '--help' && arg !== '-h') : argv;
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.Ready;
      return ExitCode.InputError;
    }
    if (error instanceof InputError) {
      // stderr is redacted as a whole (redactStandardStreams), like every other write.
    process.stderr.write(`bazaarhub-check: ${error.message}\n`);
      return ExitCode.InputError;
    }
    process.stderr.write(`bazaarhub-check: internal error: ${errorMessage(error)} (please report this)\n`);
    if (process.env.BAZAARHUB_CHECK_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return ExitCode.Incomplete;
  } finally {
    // The end of output: what the stream redactors held back can no longer become a secret.
    flushRedactedStreams();
  }
}
