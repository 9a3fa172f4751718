/** Lower-case, ASCII, dash-separated; parenthesised asides such as "(Week 1-2)" are dropped. */
export function slugify(text: string, maxLength = 80): string {
  // NFKD (to drop accents) is the costly step; ASCII text is already decomposed.
  const decomposed = /^[\x00-\x7f]*$/.test(text) ? text : text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const slug = decomposed
    .replace(/\([^)]*\)/g, ' ')
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= maxLength) return slug;
  return slug.slice(0, maxLength).replace(/-[^-]*$/, '') || slug.slice(0, maxLength);
}
