import type { Probe } from '../../src/engine/types.js';
import alpn from './alpn.js';
import caa from './caa.js';
import certificate from './certificate.js';
import chain from './chain.js';
import ct from './ct.js';
import ciphers from './ciphers.js';
import key from './key.js';
import protocols from './protocols.js';
import san from './san.js';
import signature from './signature.js';
import stapling from './stapling.js';

export const probes: Probe[] = [certificate, protocols, key, signature, san, chain, stapling, ciphers, alpn, caa, ct];
