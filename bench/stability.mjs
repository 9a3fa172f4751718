// Issue 11's stability target: 5 full runs against one unchanged deployment give every entry the
// same status, and http.latency agrees with wrk (within 10%) on the same route. The full run's
// latency entry samples only 10 requests per route (50 over 5 routes), whose p95 is their maximum,
// so the comparison with wrk uses a dedicated `run` of http.latency with enough samples on one route,
// at wrk's concurrency, connections, keep-alive and headers, interleaved with wrk run by run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { wrk } from './latency.mjs';
import { cells, ms1, root, spread, table, timeProcess, timeRun, verdict } from './lib.mjs';

const ENTRY = 'success-criteria.response-times-2-seconds';
// The headers every probe request carries (src/facts/http.ts DEFAULT_HEADERS); wrk sends the same.
const PROBE_HEADERS = { 'user-agent': 'bazaarhub-check (deployment readiness probe)', accept: 'text/html,application/json;q=0.9,*/*;q=0.8', 'accept-encoding': 'gzip, br' };
const CONCURRENCY = 5;

/** A one-entry catalog: http.latency on one URL with `requests` samples (a p95 threshold no run can miss). */
function latencyCatalog(dir, name, url, requests) {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'version: 1',
      `checklist: ${JSON.stringify(join(root, 'checklists/deployment.md'))}`,
      'entries:',
      `  - id: bench.latency-${name}`,
      `    title: Latency of ${name}`,
      '    phase: bench',
      '    section: bench',
      '    cadence: per-release',
      '    severity: low',
      '    probe: http.latency',
      `    params: { endpoints: [ ${JSON.stringify(url)} ], requests: ${requests}, concurrency: ${CONCURRENCY}, p95Ms: 600000 }`,
      '',
    ].join('\n'),
  );
  return file;
}

const NUMBERS = /(\d+) requests: p50 ([\d.]+) ms, p95 ([\d.]+) ms/;
function probeNumbers(observed) {
  const match = NUMBERS.exec(observed ?? '');
  if (!match) throw new Error(`unexpected http.latency finding: ${observed}`);
  return { requests: Number(match[1]), p50: Number(match[2]), p95: Number(match[3]) };
}

const within = (a, b) => Math.abs(a - b) / b;
const pct = (value) => `${(value * 100).toFixed(1)}%`;

export async function stabilitySection({ deployment, runs = 5 }) {
  const dep = await deployment();
  const dir = mkdtempSync(join(tmpdir(), 'bench-stability-'));
  try {
    const target = ['--no-manual', '--env', dep.envFile, '--ca', dep.caFile];
    const route = new URL('/api/products', dep.env.APP_URL).href;
    const routes = [
      { name: 'api-products', label: `the demo API's /api/products (~9 KB JSON, gzip)`, url: route, requests: 1000, wrkSeconds: 2 },
      { name: 'delayed', label: 'a plain-HTTP route answering after 20–120 ms (fixed sequence, uniform: p50 ≈ 70 ms, p95 ≈ 115 ms)', url: dep.delayUrl, requests: 300, wrkSeconds: 4 },
    ].map((r) => ({ ...r, catalog: latencyCatalog(dir, r.name, r.url, r.requests), probe: [], node: [], wrk: [] }));

    const fulls = [];
    for (let round = 0; round < runs; round++) {
      fulls.push(timeRun(['run', ...target]).report);
      for (const r of routes) {
        // Alternate which tool goes first, so neither always meets the machine right after a full run.
        const steps = [
          async () => {
            const { report } = timeRun(['run', '--catalog', r.catalog, ...target]);
            const numbers = probeNumbers(report.results[0]?.observed);
            // Requests per second over the probe's own duration (its warm-up included).
            r.probe.push({ ...numbers, perSecond: (numbers.requests * 1000) / report.results[0].durationMs });
          },
          async () => {
            const timed = timeProcess([join(root, 'bench/node-client.mjs'), r.url, String(r.requests), String(CONCURRENCY), dep.caFile, JSON.stringify(PROBE_HEADERS)]);
            r.node.push(JSON.parse(timed.stdout));
          },
          async () => {
            const measured = await wrk(r.url, { connections: CONCURRENCY, seconds: r.wrkSeconds, headers: PROBE_HEADERS });
            r.wrk.push({ ...measured, perSecond: measured.requests / r.wrkSeconds });
          },
        ];
        for (const step of round % 2 ? steps.reverse() : steps) await step();
      }
    }

    // The full runs: the entry's p95 (all its routes) and its /api/products detail (10 samples).
    const entryP95 = spread(fulls.map((report) => probeNumbers(report.results.find((r) => r.id === ENTRY)?.observed).p95));
    const detailP95 = spread(
      fulls.map((report) => {
        const detail = report.results.find((r) => r.id === ENTRY)?.details?.find((d) => d.subject === route);
        return Number(/p95 ([\d.]+) ms/.exec(detail?.observed ?? '')?.[1]);
      }),
    );
    const statuses = fulls.map((report) => new Map(report.results.map((r) => [r.id, r.status])));
    const changed = [...statuses[0].keys()].filter((id) => statuses.some((run) => run.get(id) !== statuses[0].get(id)));
    const why = changed.map((id) => `- \`${id}\`: ${fulls.map((report) => report.results.find((r) => r.id === id)).map((r) => `${r.status} (${r.observed.slice(0, 120)})`).join(' / ')}`);

    const rows = [];
    const verdicts = [];
    for (const r of routes) {
      const probe50 = spread(r.probe.map((m) => m.p50));
      const probe95 = spread(r.probe.map((m) => m.p95));
      const wrk50 = spread(r.wrk.map((m) => m.p50));
      const wrk95 = spread(r.wrk.map((m) => m.p95));
      const requestsOf = (list) => list.reduce((sum, m) => sum + m.requests, 0);
      const rate = (list) => String(Math.round(spread(list.map((m) => m.perSecond)).median));
      rows.push([`${r.name}: http.latency (${r.requests} requests × ${runs})`, ...cells(probe95, ms1), ms1(probe50.median), String(requestsOf(r.probe)), rate(r.probe)]);
      rows.push([`${r.name}: bare Node client (bench/node-client.mjs, ${r.requests} requests × ${runs})`, ...cells(spread(r.node.map((m) => m.p95)), ms1), ms1(spread(r.node.map((m) => m.p50)).median), String(requestsOf(r.node)), rate(r.node)]);
      rows.push([`${r.name}: wrk -t1 -c${CONCURRENCY} -d${r.wrkSeconds}s (× ${runs})`, ...cells(wrk95, ms1), ms1(wrk50.median), String(requestsOf(r.wrk)), rate(r.wrk)]);
      const node95 = spread(r.node.map((m) => m.p95));
      verdicts.push({ r, p95: within(probe95.median, wrk95.median), p50: within(probe50.median, wrk50.median), probe95, wrk95, probe50, wrk50, node95, rates: [rate(r.probe), rate(r.wrk), rate(r.node)] });
    }
    const wrkVersion = spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split(' ')[1] ?? '';

    return {
      title: `\`http.latency\` against wrk, and ${runs} full runs against one deployment`,
      body: [
        `${runs} rounds against one unchanged benchmark deployment (stand-ins in their own process). Each round: one full catalog run (the real binary, every probe entry; load measurements run in their own phase after the other probes), then for each route below a dedicated \`run --catalog <one http.latency entry>\` with \`endpoints: [route]\`, \`requests\` as listed and \`concurrency: ${CONCURRENCY}\`, a bare Node.js client (bench/node-client.mjs: a keep-alive Agent, the same requests and concurrency, nothing else in its process) and \`wrk ${wrkVersion}\` with ${CONCURRENCY} connections, all three with the probe's headers (User-Agent, Accept, Accept-Encoding: gzip, br), in an order reversed every other round. All three keep ${CONCURRENCY} requests in flight over keep-alive connections opened before timing (http.latency's warm-up opens one per concurrent request on a single route) and time each request to its last byte (http.latency excludes decompression, as wrk does not decompress); http.latency reports 0.1 ms resolution.`,
        '',
        ...routes.map((r) => `- **${r.name}**: ${r.label}.`),
        '',
        table(['measure (p95)', 'min', 'median', 'max', 'p50 (median)', 'requests', 'requests/s (median)'], [
          [`full run: p95 of \`${ENTRY}\` (50 requests over its routes)`, ...cells(entryP95, ms1), '', '', ''],
          ['full run: its /api/products detail (10 requests)', ...cells(detailP95, ms1), '', '', ''],
          ...rows,
        ]),
        '',
        ...verdicts.map(
          ({ r, p95, p50, probe95, wrk95, probe50, wrk50, node95, rates }) =>
            `Target (${r.name}): http.latency's p95 median within 10% of wrk's: ${verdict(p95 <= 0.1)} (${ms1(probe95.median)} against ${ms1(wrk95.median)}, ${pct(p95)} apart; a bare Node client: ${ms1(node95.median)}, ${pct(within(probe95.median, node95.median))} from http.latency).\n${r.name}, p50 (no target): ${ms1(probe50.median)} against ${ms1(wrk50.median)} (${pct(p50)} apart)${p50 > 0.1 || p95 > 0.1 ? `. With ${CONCURRENCY} requests in flight all three are closed loops: http.latency completed ${rates[0]} requests/s, the bare Node client ${rates[2]}, wrk ${rates[1]}; on a route this fast a request's time includes the client's own per-request work (Node's TLS and HTTP parsing on one event loop, shared by the requests in flight, on the same 2 cores as the server), which wrk's C client hardly adds, and the same concurrency is not the same load: wrk drives the server ${(Number(rates[1]) / Number(rates[0])).toFixed(1)}× as hard, so the two measure different loads, and http.latency's numbers include its own client's work. Where the route's own time dominates and every tool sees the same rate (the delayed route), the comparison is like for like` : ''}.`,
        ),
        `Spread of the full run's entry p95 over ${runs} runs: ${ms1(entryP95.max - entryP95.min)} (${entryP95.median ? ((100 * (entryP95.max - entryP95.min)) / entryP95.median).toFixed(0) : '?'}% of its median); its /api/products detail is the maximum of 10 samples, so it is not compared with wrk.`,
        `Target: every entry's status identical in all ${runs} full runs: ${verdict(changed.length === 0)}${changed.length ? ` (changed: ${changed.map((id) => `\`${id}\` ${statuses.map((run) => run.get(id)).join('/')}`).join(', ')})` : ` (${statuses[0].size} entries)`}.`,
        ...(why.length ? ['', 'What the changing entries observed, run by run:', '', ...why] : []),
      ].join('\n'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
