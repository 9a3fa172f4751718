import type { StandIn } from './standin.js';

/**
 * The stand-in services `bazaarhub-check demo` starts, each loaded only for the demo. A stand-in
 * that cannot start here (e.g. no redis-server binary) reports a note and contributes no env, and
 * the checks that need it are skipped with a reason.
 */
export const STAND_INS: Array<() => Promise<StandIn>> = [
  async () => (await import('../standins/web.js')).webStandIn,
  async () => (await import('../standins/postgres.js')).postgresStandIn,
  async () => (await import('../standins/redis.js')).redisStandIn,
  async () => (await import('../standins/razorpay.js')).razorpayStandIn,
  async () => (await import('../standins/shiprocket.js')).shiprocketStandIn,
  async () => (await import('../standins/prometheus.js')).prometheusStandIn,
  async () => (await import('../standins/smtp.js')).smtpStandIn,
  async () => (await import('../standins/elasticsearch.js')).elasticsearchStandIn,
  async () => (await import('../standins/s3.js')).s3StandIn,
  async () => (await import('../standins/dns.js')).dnsStandIn,
];
