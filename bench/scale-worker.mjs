// One size of the scaling benchmark, in its own process so that peak memory is this size's alone:
// parse a generated checklist of N items, sync it into a new catalog, then re-sync that catalog
// against the checklist with one item inserted near the top (every entry's source line moves).
// Prints one JSON line.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateChecklist, realChecklist } from './generate.mjs';

const [root, sizeArg] = process.argv.slice(2);
const n = Number(sizeArg);
const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { parseChecklist } = await load('src/checklist/parse.js');
const { syncCatalog } = await load('src/catalog/sync.js');
const { loadRegistry } = await load('src/engine/registry.js');
const probes = [...(await loadRegistry()).values()];

const text = generateChecklist(n, realChecklist(root));
const edited = text.replace('\n- [', '\n- [ ] A new item inserted near the top\n- [');
const options = (existing) => ({ catalogFile: 'bazaarhub-checks.yaml', checklistRef: 'checklists/deployment.md', existing, probes, today: '2026-11-26' });
const baseRss = process.memoryUsage().rss;

let started = performance.now();
const checklist = parseChecklist(text, 'checklists/deployment.md');
const parseMs = performance.now() - started;

started = performance.now();
const created = syncCatalog(checklist, options(undefined));
const freshMs = performance.now() - started;

started = performance.now();
const again = parseChecklist(edited, 'checklists/deployment.md');
const reparseMs = performance.now() - started;
started = performance.now();
const resynced = syncCatalog(again, options(created.text));
const resyncMs = performance.now() - started;

const moved = resynced.changes.filter((change) => change.kind === 'moved').length;
console.log(
  JSON.stringify({
    n,
    items: checklist.items.length,
    checklistBytes: Buffer.byteLength(text),
    catalogBytes: Buffer.byteLength(created.text),
    parseMs,
    freshMs,
    reparseMs,
    resyncMs,
    moved,
    added: resynced.changes.filter((change) => change.kind === 'added').length,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    baseRssMb: baseRss / 2 ** 20,
  }),
);
