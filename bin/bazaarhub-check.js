#!/usr/bin/env -S node --
// `--` stops Node 20 from treating our own --env-file flag as its own (nodejs/node#50993).
import { main } from '../dist/src/cli/main.js';

// A reader that goes away (`| head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await main(process.argv.slice(2));
// Exit now: a target that never answers may still hold a socket open, and the verdict is final.
// (stdout/stderr writes to pipes and files are synchronous on POSIX, so nothing is lost.)
process.exit(code);
