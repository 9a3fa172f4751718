/**
 * The probe registry: every area folder exports its probes. Importing this is cheap because probe
 * files load their SDKs (pg, ioredis, AWS, Elasticsearch, ...) only inside `run`.
 */
import type { Probe } from '../src/engine/types.js';
import { probes as backup } from './backup/index.js';
import { probes as dns } from './dns/index.js';
import { probes as env } from './env/index.js';
import { probes as es } from './es/index.js';
import { probes as git } from './git/index.js';
import { probes as http } from './http/index.js';
import { probes as mail } from './mail/index.js';
import { probes as monitoring } from './monitoring/index.js';
import { probes as npm } from './npm/index.js';
import { probes as postgres } from './postgres/index.js';
import { probes as razorpay } from './razorpay/index.js';
import { probes as redis } from './redis/index.js';
import { probes as s3 } from './s3/index.js';
import { probes as shiprocket } from './shiprocket/index.js';
import { probes as smtp } from './smtp/index.js';
import { probes as tls } from './tls/index.js';
import { probes as waf } from './waf/index.js';

export const probes: readonly Probe[] = [...env, ...tls, ...http, ...waf, ...postgres, ...redis, ...es, ...s3, ...razorpay, ...shiprocket, ...smtp, ...mail, ...npm, ...git, ...dns, ...backup, ...monitoring];
