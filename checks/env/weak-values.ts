/** Values that ship in examples, tutorials and defaults; a credential equal to one of them is not a secret. */
const DEFAULTS = new Set([
  'password', 'passw0rd', 'password1', 'password123', 'admin', 'admin123', 'administrator', 'root', 'toor', 'postgres', 'postgresql',
  'redis', 'elastic', 'changeme', 'changeit', 'change-me', 'change_me', 'secret', 'secret123', 'default', 'letmein', 'welcome',
  'qwerty', '123456', '12345678', '123456789', 'test', 'test123', 'demo', 'example', 'guest', 'user', 'pass', 'bazaarhub',
  'bazaarhub123', 'minioadmin', 'your-secret-key', 'your_secret_key', 'supersecret', 'super-secret', 'mysecret', 'keyboard cat',
]);

/** BazaarHub's own docker-compose.yml defaults, and the variable each one is the default of. */
export const COMPOSE_DEFAULTS = new Map([
  ['mercurjs_password', 'POSTGRES_PASSWORD'],
  ['redis_password', 'REDIS_PASSWORD'],
  ['dev-secret-change-in-production', 'JWT_SECRET'],
  ['dummy_secret', 'RAZORPAY_KEY_SECRET'],
  ['dummy_webhook_secret', 'RAZORPAY_WEBHOOK_SECRET'],
  ['rzp_test_dummy', 'RAZORPAY_KEY_ID'],
]);

/**
 * Words that mark a value as written by a person for a template, a tutorial or a test, never
 * generated: `dev-secret-change-in-production`, `staging_password_2`, `MyTestKey`.
 */
const WEAK_WORDS = new Set([
  'change', 'changeme', 'changeit', 'default', 'example', 'sample', 'secret', 'secrets', 'password', 'passwd', 'pass', 'pwd',
  'dev', 'develop', 'development', 'test', 'testing', 'dummy', 'demo', 'placeholder', 'todo', 'fixme', 'temp', 'tmp', 'insecure',
  'qwerty', 'letmein', 'admin', 'root', 'guest', 'your', 'mysecret', 'replace', 'replaceme', 'foo', 'foobar',
]);

/**
 * Template shapes. `xxx`, `todo` and `fixme` need a separator or the value's end after them, where a
 * random value could start with the same letters by chance; `my-...`/`your-...` are left to the word
 * judgement (one random secret in a thousand starts with "my").
 */
const PLACEHOLDER = /^(?:change[-_ ]?(?:me|this|it)|replace[-_ ]?me|example|sample|dummy|placeholder|(?:todo|fixme)(?![A-Za-z0-9])|<[^>]*>$|\$\{[^}]*\}$|\*+$)|change[-_ ]?me|change[-_ ]?this|placeholder|example|your[-_](?:secret|key|password)/i;

/** How a token reads: the words it is made of, or undefined when it is not written like words. */
function wordsOf(token: string): string[] | undefined {
  if (/^\d+$/.test(token)) return [];
  const letters = /^([A-Za-z]+)\d*$/.exec(token)?.[1];
  if (!letters) return undefined;
  if (/^(?:[a-z]+|[A-Z][a-z]+|[A-Z]+)$/.test(letters)) return [letters.toLowerCase()];
  // camelCase / PascalCase: every piece a capitalised or lower-case run of three or more letters (the
  // first may have two: "MyDevSecret"); random letters break into shorter pieces ("IlZy", "JqXmPr").
  const pieces = letters.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? [];
  if (pieces.length < 2 || pieces.join('') !== letters || pieces.some((piece, index) => piece.length < (index === 0 ? 2 : 3) || !/^[A-Z]?[a-z]+$/.test(piece))) return undefined;
  return pieces.map((piece) => piece.toLowerCase());
}

/**
 * The weak words a value is built from. Words are judged as tokens, never as substrings, and only in
 * a value written like words, so a generated secret that happens to contain `test` or `dev` is not
 * flagged:
 * - tokens are the runs of letters and digits between separators (`-`, `_`, `.`, `/`, `+`, spaces...);
 * - a token reads as words when it is lower-case, Capitalised or UPPER-case letters (then optional
 *   digits), digits only, or camelCase whose pieces are such words of three or more letters (the
 *   first may have two);
 * - the value is written like words when more than half of its tokens read as words, and it is weak
 *   when one of those words is a weak word (`dev-secret-change-in-production`, `MyDevKey2025`).
 * Random base64 or hex breaks into mixed-case, digit-laden tokens and is never judged by its words:
 * about one random secret in a million is flagged (test/unit/env-probes.test.ts samples 2,000 per run).
 */
export function weakWords(value: string): string[] {
  // One-character tokens say nothing either way (random text is full of them).
  const tokens = value.split(/[^A-Za-z0-9]+/).filter((token) => token.length > 1);
  const read = tokens.map(wordsOf);
  const wordy = read.filter((words) => words !== undefined).length;
  if (tokens.length === 0 || wordy * 2 <= tokens.length) return [];
  return [...new Set(read.flatMap((words) => words ?? []).filter((word) => WEAK_WORDS.has(word)))];
}

export function isDefaultPassword(value: string): boolean {
  return DEFAULTS.has(value.trim().toLowerCase());
}

/**
 * Why a value is not a real secret, in words that do not repeat it; undefined when nothing marks it.
 * (A weak word is named: it tells the operator what to change, and a value built from it is public
 * knowledge in all but its order.)
 */
export function weakness(value: string): string | undefined {
  const trimmed = value.trim();
  const placeholder = PLACEHOLDER.test(trimmed) || /^(?:x{3,}|X{3,})(?![A-Za-z0-9])/.test(trimmed);
  const compose = COMPOSE_DEFAULTS.get(trimmed.toLowerCase());
  if (compose) return `BazaarHub's docker-compose default (${compose})`;
  if (isDefaultPassword(trimmed)) return 'a well-known default';
  if (placeholder) return 'a placeholder or example value';
  const words = weakWords(trimmed);
  if (words.length > 0) return `written from template words (${words.map((word) => `"${word}"`).join(', ')}), not generated`;
  return undefined;
}

export function looksLikePlaceholder(value: string): boolean {
  return weakness(value) !== undefined;
}
