/**
 * Keeps secrets out of every byte the tool writes. Secret values are registered when the target is
 * loaded; `redact` replaces each of them, and any credentials embedded in a URL, with a mask.
 */
const MASK = '***';
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*)(?::[^\s/@]*)?@/gi;

export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string | undefined): void {
    if (!value) return;
    const trimmed = value.trim();
    // Short values and flags ("1", "true", "3600") would mangle unrelated text and are not secrets.
    if (trimmed.length < 4 || /^(true|false|yes|no|on|off|none|null|\d+)$/i.test(trimmed)) return;
    this.secrets.add(trimmed);
    for (const variant of [encodeURIComponent(trimmed), JSON.stringify(trimmed).slice(1, -1)]) {
      if (variant !== trimmed) this.secrets.add(variant);
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    let out = text.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user ? `${user}:` : ''}${MASK}@`);
    // Longest first, so a secret containing another secret is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }
}

/** The process-wide redactor: the CLI's writers and error printer pass everything through it. */
export const redactor = new Redactor();

/**
 * Passes every write to stdout and stderr through the redactor: reporters, progress, annotations and
 * error lines already redact what they build, and this is the guarantee for anything that slips past.
 */
export function redactStandardStreams(secrets: Redactor = redactor): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(secrets.size > 0 && (typeof chunk === 'string' || Buffer.isBuffer(chunk)) ? secrets.redact(chunk.toString()) : chunk, ...rest)) as typeof stream.write;
  }
}
