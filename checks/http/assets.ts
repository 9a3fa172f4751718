/**
 * Static assets referenced by a service's HTML (script src, stylesheet href), same-origin only so
 * the probes never reach beyond the configured target (a CDN is checked by listing it explicitly).
 */
export function discoverAssets(html: string, base: URL, limit: number): URL[] {
  const found: URL[] = [];
  const seen = new Set<string>();
  const add = (reference: string | undefined) => {
    if (!reference || found.length >= limit) return;
    let url: URL;
    try {
      url = new URL(reference.replace(/&amp;/g, '&'), base);
    } catch {
      return;
    }
    if (url.origin !== base.origin || seen.has(url.href)) return;
    seen.add(url.href);
    found.push(url);
  };
  // Bounded by the body size cap of the HTML fact; tags are scanned, not parsed.
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)?.slice(1).find((v) => v !== undefined);
    if (/^<script/i.test(tag)) add(attr('src'));
    else if (/\bstylesheet\b/i.test(attr('rel') ?? '') || /\bas\s*=\s*["']?(script|style)/i.test(tag)) add(attr('href'));
  }
  return found;
}
