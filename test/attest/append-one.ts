// Child process for the concurrency test: appends one attestation through the real ledger code.
import { appendAttestation } from '../../src/attest/ledger.js';
import { loadKeys } from '../../src/attest/keys.js';

const [file, id] = process.argv.slice(2) as [string, string];
const keys = loadKeys(process.env, file);
if (!keys.signer) throw new Error('no key');
await appendAttestation(file, { id, status: 'done', by: `worker ${id}`, at: new Date().toISOString(), expires: null, evidence: null, note: `process ${process.pid}`, reason: null, commit: null }, keys.signer);
