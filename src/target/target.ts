import { InputError, at } from '../util/errors.js';
import { redactor, type Redactor } from '../util/redact.js';
import { KNOWN_VARIABLES, NOT_SECRET, SECRET_NAME, SERVICES, URL_NAME } from './variables.js';

export interface Variable {
  value: string;
  /** Where the value came from: `file:line`, `process env` or `--set`. */
  origin: string;
}

export interface Service {
  name: string;
  variable: string;
  url: URL;
  /** Plain-http URL override for the redirect probe, when configured. */
  httpUrl?: URL;
}

const URL_SCHEMES: Record<string, readonly string[]> = {
  DATABASE_URL: ['postgres:', 'postgresql:'],
  REDIS_URL: ['redis:', 'rediss:'],
};

/** The deployment under test: its variables (secrets registered for redaction) and derived endpoints. */
export class Target {
  constructor(
    private readonly variables: ReadonlyMap<string, Variable>,
    readonly envFile: string | undefined,
  ) {}

  get(name: string): string | undefined {
    const value = this.variables.get(name)?.value;
    return value === undefined || value === '' ? undefined : value;
  }

  /** The first of several spellings that is set, e.g. `first('ELASTICSEARCH_NODE', 'ELASTICSEARCH_URL')`. */
  first(...names: string[]): { name: string; value: string } | undefined {
    for (const name of names) {
      const value = this.get(name);
      if (value !== undefined) return { name, value };
    }
    return undefined;
  }

  origin(name: string): string | undefined {
    return this.variables.get(name)?.origin;
  }

  names(): string[] {
    return [...this.variables.keys()];
  }

  services(): Service[] {
    const services: Service[] = [];
    for (const spec of SERVICES) {
      const found = this.first(...spec.urlVariables);
      if (!found) continue;
      const http = this.get(spec.httpVariable);
      services.push({ name: spec.name, variable: found.name, url: new URL(found.value), ...(http ? { httpUrl: new URL(http) } : {}) });
    }
    return services;
  }
}

export interface TargetSources {
  envFile?: string;
  fileValues?: ReadonlyMap<string, string>;
  /** Line of each variable in the env file, for error messages. */
  fileLines?: ReadonlyMap<string, number>;
  processEnv?: NodeJS.ProcessEnv;
  overrides?: ReadonlyMap<string, string>;
}

/**
 * Layers the env file, then the process environment (for BazaarHub's variable names and any name
 * the file sets), then `--set` flags. Validates URL-shaped values and registers every secret with
 * the redactor before anything can print them.
 */
export function buildTarget(sources: TargetSources, secrets: Redactor = redactor): Target {
  const variables = new Map<string, Variable>();
  const file = sources.envFile ?? '(env file)';
  for (const [name, value] of sources.fileValues ?? []) {
    variables.set(name, { value, origin: at(file, sources.fileLines?.get(name), '').replace(/: $/, '') });
  }
  const overridable = new Set<string>([...KNOWN_VARIABLES, ...variables.keys()]);
  for (const name of overridable) {
    const value = sources.processEnv?.[name];
    if (value !== undefined) variables.set(name, { value, origin: 'process env' });
  }
  for (const [name, value] of sources.overrides ?? []) variables.set(name, { value, origin: `--set ${name}` });

  for (const [name, variable] of variables) registerSecrets(name, variable.value, secrets);
  for (const [name, variable] of variables) validateUrl(name, variable);
  return new Target(variables, sources.envFile);
}

function registerSecrets(name: string, value: string, secrets: Redactor): void {
  if (SECRET_NAME.test(name) && !NOT_SECRET.has(name)) secrets.add(value);
  if (!URL_NAME.test(name) && !value.includes('://')) return;
  try {
    const url = new URL(value);
    if (url.password) {
      secrets.add(url.password);
      secrets.add(decodeURIComponent(url.password));
    }
    if (url.searchParams.has('password')) secrets.add(url.searchParams.get('password') ?? undefined);
    if (url.searchParams.has('sslpassword')) secrets.add(url.searchParams.get('sslpassword') ?? undefined);
  } catch {
    // Not a URL: validateUrl reports it when the name says it should be one.
  }
}

function validateUrl(name: string, variable: Variable): void {
  if (!URL_NAME.test(name) || variable.value === '') return;
  let url: URL;
  try {
    url = new URL(variable.value);
  } catch {
    throw new InputError(`${variable.origin}: ${name} is not a valid URL`);
  }
  const schemes = URL_SCHEMES[name] ?? ['http:', 'https:'];
  if (!schemes.includes(url.protocol)) {
    throw new InputError(`${variable.origin}: ${name} has scheme "${url.protocol.replace(/:$/, '')}", expected ${schemes.map((s) => s.replace(/:$/, '')).join(' or ')}`);
  }
  if (!url.hostname) throw new InputError(`${variable.origin}: ${name} has no host`);
}
