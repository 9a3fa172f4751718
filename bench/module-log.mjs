// `node --import ./bench/module-log.mjs ...`: appends every package (and probe module of ours) the
// process loads to the file named by BENCH_MODULE_LOG, so the benchmark (and
// test/cli/startup-modules.test.ts) can show which SDKs and probes a command loads. ESM imports
// through a resolve hook; CommonJS requires (a CJS package's own dependencies) through
// Module._resolveFilename; the probe modules inside dist/cli.cjs through the diagnostics channel
// each of them publishes its path on when it is evaluated (scripts/bundle.mjs).
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const hook = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const match = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);
  if (match && process.env.BENCH_MODULE_LOG) appendFileSync(process.env.BENCH_MODULE_LOG, match[1] + '\\n');
  // Our own probe modules, as checks/<area>/<file>, to show a run loads only the probes it selects.
  const probe = /\\/dist\\/(checks\\/[^?#]+)/.exec(result.url);
  if (probe && process.env.BENCH_MODULE_LOG) appendFileSync(process.env.BENCH_MODULE_LOG, probe[1] + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const resolveFilename = Module._resolveFilename;
const seen = new Set();
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(typeof file === 'string' ? file : '');
  if (match && !seen.has(match[1]) && process.env.BENCH_MODULE_LOG) {
    seen.add(match[1]);
    appendFileSync(process.env.BENCH_MODULE_LOG, `${match[1]}\n`);
  }
  return file;
};

subscribe('bazaarhub-check:module', (name) => {
  if (process.env.BENCH_MODULE_LOG) appendFileSync(process.env.BENCH_MODULE_LOG, `${name}\n`);
});
