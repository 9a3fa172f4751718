// `node --import ./bench/module-log.mjs ...`: appends every package (and probe module of ours) the process loads to the file
// named by BENCH_MODULE_LOG, so the benchmark can show that --help, list and catalog check load no SDK.
import { register } from 'node:module';

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
