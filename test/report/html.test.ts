import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { htmlReporter } from '../../src/report/html.js';
import { tempDir } from '../attest/helpers.js';
import { result, sampleReport } from './sample.js';

const tmp = tempDir('html');
afterAll(() => tmp.remove());
const context = { color: false, verbose: false };

/** Debian's `chromium` package (CI installs it in .ci/run). */
function chromiumPath(): string {
  for (const candidate of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error('chromium is not installed: apt-get install -y chromium');
}

function chromium(args: string[]): Promise<string> {
  const profile = join(tmp.dir, `profile-${Math.random().toString(36).slice(2)}`);
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-extensions', '--disable-sync', `--user-data-dir=${profile}`, '--virtual-time-budget=3000'];
  return new Promise((resolve, reject) => {
    execFile(chromiumPath(), [...flags, ...args], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

describe('HTML report', () => {
  const html = htmlReporter(sampleReport(), context);

  it('is one self-contained file: no external scripts, styles, fonts or images, and a CSP that forbids fetching', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script[^>]+src=|<link\b|<img\b|<iframe\b|@import|url\(/i);
    expect(html).toContain('<svg id="chart"');
    // Hostile text is escaped, never markup.
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('charts each phase with one bar segment per status present', () => {
    const chart = /<svg id="chart"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    for (const phase of ['pre-deployment', 'post-deployment', 'ongoing-maintenance', 'success-criteria']) expect(chart).toContain(`>${phase}</text>`);
    expect(chart).toContain('<title>pre-deployment: 1 fail</title>');
    expect(chart).toContain('<title>ongoing-maintenance: 1 expired</title>');
    expect((chart.match(/<rect [^>]*><title>/g) ?? []).length).toBe(9);
  });

  it('renders in headless Chromium: verdict text, working filters, and a screenshot', async () => {
    const file = join(tmp.dir, 'report.html');
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;

    const dom = await chromium(['--dump-dom', url]);
    expect(/<h1 id="verdict"[^>]*>([^<]*)<\/h1>/.exec(dom)?.[1]).toBe('NOT READY');
    expect(dom).toContain('<span id="f-count">9 of 9 shown</span>');

    const filtered = await chromium(['--dump-dom', `${url}#status=problem&phase=pre-deployment`]);
    expect(filtered).toContain('<span id="f-count">1 of 9 shown</span>');
    const visible = [...filtered.matchAll(/<tr data-status="(\w+)"[^>]*?(hidden="")?>/g)].filter((m) => !m[2]).map((m) => m[1]);
    expect(visible).toEqual(['fail']);

    const searched = await chromium(['--dump-dom', `${url}#q=vendor%20registration`]);
    expect(searched).toContain('<span id="f-count">1 of 9 shown</span>');

    const png = join(tmp.dir, 'report.png');
    await chromium([`--screenshot=${png}`, '--window-size=1280,1600', '--hide-scrollbars', url]);
    expect(existsSync(png)).toBe(true);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(bytes.readUInt32BE(16)).toBe(1280);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  }, 90_000);

  it('fits 1280 px and 390 px without horizontal scrolling, long fixes wrapping; the summary links to the table', async () => {
    const long = 'https://runbooks.example.com/' + 'verylongpathsegmentwithoutanybreak'.repeat(12);
    const many = [
      ...sampleReport().results,
      ...Array.from({ length: 40 }, (_, i) => result({ id: `pre-deployment.security.item-${i}`, title: `Blocking item ${i} with a fairly long title that must wrap in narrow columns`, status: 'fail', probe: 'http.hsts', severity: i % 2 ? 'high' : 'critical', observed: `host-${i}.bazaarhub.example: no Strict-Transport-Security header ${long}`, remediation: `Add the header in nginx: add_header Strict-Transport-Security "max-age=63072000" always; see ${long}` })),
    ];
    const page = htmlReporter(sampleReport(many), context);
    // The summary at the top links to the table: the results are reachable without scrolling past the blocking list.
    const top = page.split('<h2 id="why">')[0] ?? '';
    expect(top).toContain('<a href="#all-results">All results (49)</a>');
    expect(top).toContain('<a href="#status=blocking">Blocking (');
    // A probe script (test only) records what the browser laid out: widths and where the summary sits.
    // A probe script (test only) reports what the browser laid out: widths and where the summary sits.
    // Headless Chromium's window is at least 500 px wide, so 390 px is an iframe of that width (its own viewport).
    const probe = `<script>window.addEventListener('load',function(){var d=document.documentElement,c=document.getElementById('counts').getBoundingClientRect(),n=document.getElementById('jump').getBoundingClientRect();var m=[d.scrollWidth,window.innerWidth,Math.round(c.right),Math.round(n.bottom),window.innerHeight].join(',');document.body.setAttribute('data-layout',m);if(window.parent!==window)window.parent.postMessage(m,'*');});</script>`;
    const file = join(tmp.dir, 'wide.html');
    writeFileSync(file, page.replace('</body>', `${probe}</body>`));
    for (const width of [1280, 390]) {
      const host = join(tmp.dir, `host-${width}.html`);
      writeFileSync(host, `<!DOCTYPE html><html><body style="margin:0"><iframe src="wide.html" style="width:${width}px;height:900px;border:0"></iframe><script>addEventListener('message',function(e){document.body.setAttribute('data-layout',e.data)});</script></body></html>`);
      const dom = await chromium([`--window-size=${Math.max(width, 500)},900`, '--dump-dom', pathToFileURL(host).href]);
      const [scrollWidth, innerWidth, countsRight, navBottom, innerHeight] = (/<body[^>]*data-layout="([\d,]+)"/.exec(dom)?.[1] ?? '').split(',').map(Number);
      expect(innerWidth, `viewport at ${width}`).toBe(width);
      expect(scrollWidth, `no horizontal scroll at ${width} px`).toBeLessThanOrEqual(innerWidth as number);
      // Verdict counts and the links to the table are visible on the first screen.
      expect(countsRight).toBeLessThanOrEqual(width);
      expect(navBottom).toBeLessThan(innerHeight as number);
      const png = join(tmp.dir, `wide-${width}.png`);
      await chromium([`--screenshot=${png}`, `--window-size=${Math.max(width, 500)},900`, '--hide-scrollbars', pathToFileURL(host).href]);
      expect(readFileSync(png).readUInt32BE(16)).toBe(Math.max(width, 500));
    }
  }, 120_000);

  it('shows the run notes, escaped', () => {
    const withNotes = htmlReporter({ ...sampleReport(), notes: ['redis-server absent: <redis> checks skipped'] }, context);
    expect(withNotes).toContain('<p class="note">Note: redis-server absent: &lt;redis&gt; checks skipped</p>');
  });

  it('says READY in green for a clean report', () => {
    const ready = htmlReporter(sampleReport([result({ id: 'a.b.c', status: 'pass', probe: 'x.y' })]), context);
    expect(ready).toContain('<h1 id="verdict" class="verdict ready">READY</h1>');
    expect(ready).toContain('Nothing blocks this release.');
  });
});
