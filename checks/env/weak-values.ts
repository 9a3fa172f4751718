/** Values that ship in examples, tutorials and defaults; a credential equal to one of them is not a secret. */
const DEFAULTS = new Set([
  'password', 'passw0rd', 'password1', 'password123', 'admin', 'admin123', 'administrator', 'root', 'toor', 'postgres', 'postgresql',
  'redis', 'elastic', 'changeme', 'changeit', 'change-me', 'change_me', 'secret', 'secret123', 'default', 'letmein', 'welcome',
  'qwerty', '123456', '12345678', '123456789', 'test', 'test123', 'demo', 'example', 'guest', 'user', 'pass', 'bazaarhub',
  'bazaarhub123', 'minioadmin', 'your-secret-key', 'your_secret_key', 'supersecret', 'super-secret', 'mysecret', 'keyboard cat',
]);

const PLACEHOLDER = /^(?:your[-_ ]|my[-_ ]?|change[-_ ]?(?:me|this|it)|replace[-_ ]?me|example|sample|dummy|placeholder|todo|fixme|xxx+|<[^>]*>|\$\{[^}]*\}|\*+$)|(?:change[-_ ]?me|change[-_ ]?this|placeholder|example|your[-_](?:secret|key|password))/i;

export function isDefaultPassword(value: string): boolean {
  return DEFAULTS.has(value.trim().toLowerCase());
}

export function looksLikePlaceholder(value: string): boolean {
  return isDefaultPassword(value) || PLACEHOLDER.test(value.trim());
}
