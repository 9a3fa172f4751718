#!/usr/bin/env -S node --
// `--` stops Node 20 from treating our own --env-file flag as its own (nodejs/node#50993).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
