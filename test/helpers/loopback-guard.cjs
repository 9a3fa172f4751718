// Preloaded into every test process and every binary the tests spawn: any DNS lookup of a name that
// is not localhost, any connection to an address outside 127.0.0.0/8 or ::1, and any DNS query to a
// resolver off this machine throws, so a test can never send traffic beyond loopback by mistake.
'use strict';
const dns = require('node:dns');
const net = require('node:net');

const LOCAL_NAME = /^(localhost|[^\s]*\.localhost)\.?$/i;
const isLoopbackIp = (ip) => ip === '::1' || /^127\./.test(ip) || /^::ffff:127\./i.test(ip);
const refuse = (what) => new Error(`loopback guard: test traffic to ${what} is not allowed (tests stay on 127.0.0.1)`);

function checkHost(host) {
  if (host === undefined || host === null || host === '') return;
  if (net.isIP(host)) {
    if (!isLoopbackIp(host)) throw refuse(host);
  } else if (!LOCAL_NAME.test(host)) {
    throw refuse(host);
  }
}

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  if (!net.isIP(hostname) && !LOCAL_NAME.test(hostname)) {
    const callback = rest[rest.length - 1];
    const error = Object.assign(refuse(hostname), { code: 'ENOTFOUND', hostname });
    if (typeof callback === 'function') return process.nextTick(callback, error);
    throw error;
  }
  return lookup.call(this, hostname, ...rest);
};
const promisesLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromisesLookup(hostname, ...rest) {
  if (!net.isIP(hostname) && !LOCAL_NAME.test(hostname)) throw Object.assign(refuse(hostname), { code: 'ENOTFOUND', hostname });
  return promisesLookup.call(this, hostname, ...rest);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.connect() passes its normalized [options, callback] array as the first argument.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first && typeof first === 'object' ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (!options.path && options.host && net.isIP(options.host)) checkHost(options.host);
  return connect.apply(this, args);
};

for (const Resolver of [dns.Resolver, dns.promises.Resolver]) {
  for (const method of ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'resolvePtr', 'resolveNaptr', 'resolveSoa', 'resolveCaa', 'reverse']) {
    const original = Resolver.prototype[method];
    if (typeof original !== 'function') continue;
    Resolver.prototype[method] = function guardedResolve(...args) {
      for (const server of this.getServers()) {
        const ip = server.replace(/^\[?([^\]]+?)\]?(:\d+)?$/, '$1');
        if (!isLoopbackIp(ip)) throw refuse(`resolver ${server}`);
      }
      return original.apply(this, args);
    };
  }
}

// The module-level resolve functions are bound to Node's default resolver at load time.
const methods = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'resolvePtr', 'resolveNaptr', 'resolveSoa', 'resolveCaa', 'reverse'];
for (const [api, getServers] of [[dns, () => dns.getServers()], [dns.promises, () => dns.promises.getServers()]]) {
  for (const method of methods) {
    const original = api[method];
    if (typeof original !== 'function') continue;
    api[method] = function guardedDefaultResolve(...args) {
      for (const server of getServers()) {
        const ip = server.replace(/^\[?([^\]]+?)\]?(:\d+)?$/, '$1');
        if (!isLoopbackIp(ip)) throw refuse(`resolver ${server}`);
      }
      return original.apply(this, args);
    };
  }
}
