import { describe, expect, it } from 'vitest';

interface Summary {
  totalMs: number;
  busyMs: number;
  categories: Array<[string, number]>;
  callers: Map<string, Array<[string, number]>>;
}
const { summarise } = (await import('../../bench/profile.mjs' as string)) as { summarise(profile: unknown): Summary };

/** A .cpuprofile in V8's shape: a call tree of frames, the sampled node per tick and the µs between ticks. */
function profile() {
  const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' }, hitCount: 0, children });
  const nodes = [
    frame(1, '(root)', '', [2, 3, 4, 5, 7]),
    frame(2, '(idle)', ''),
    frame(3, '(garbage collector)', ''),
    frame(4, 'parse', 'file:///repo/node_modules/yaml/dist/parse.js'),
    frame(5, 'createClient', 'file:///repo/node_modules/@smithy/node-http-handler/dist-cjs/index.js', [6]),
    frame(6, '', 'node:internal/tls/secure-context'),
    frame(7, 'probe', 'file:///repo/dist/checks/http/latency.js', [8]),
    frame(8, 'connect', 'node:_tls_wrap'),
  ];
  // Each sample is charged the time to the next one: idle 5 ms, GC 2 ms, yaml 3 ms, secure context 4 ms, our probe 1 ms, TLS 2 ms.
  const plan: Array<[number, number]> = [
    [2, 5000],
    [3, 2000],
    [4, 3000],
    [6, 4000],
    [7, 1000],
    [8, 2000],
  ];
  return { nodes, samples: plan.map(([id]) => id), timeDeltas: [0, ...plan.map(([, us]) => us)], startTime: 0, endTime: 17000 };
}

describe('bench/profile.mjs summary (npm run bench, section profile)', () => {
  it('sums self time by category and charges Node-internal time to the package that asked for it', () => {
    const summary = summarise(profile());
    const category = (prefix: string) => summary.categories.find(([name]) => name.startsWith(prefix))?.[1];
    expect(summary.totalMs).toBeCloseTo(17);
    expect(summary.busyMs).toBeCloseTo(12);
    expect(category('idle')).toBeCloseTo(5);
    expect(category('GC')).toBeCloseTo(2);
    expect(category('yaml')).toBeCloseTo(3);
    expect(category('TLS: building secure contexts')).toBeCloseTo(4);
    expect(category('TLS: the rest')).toBeCloseTo(2);
    expect(category('our engine: probes')).toBeCloseTo(1);
    const secureContext = [...summary.callers].find(([name]) => name.startsWith('TLS: building'))?.[1];
    expect(secureContext).toEqual([['@smithy/node-http-handler', 4]]);
    const tls = [...summary.callers].find(([name]) => name.startsWith('TLS: the rest'))?.[1];
    expect(tls).toEqual([['checks/http/latency', 2]]);
  });
});
