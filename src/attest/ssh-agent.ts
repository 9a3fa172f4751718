/**
 * Signing with a key held by ssh-agent (draft-miller-ssh-agent): list identities, pick the Ed25519
 * one, ask the agent to sign. For ssh-ed25519 the agent's signature is a plain Ed25519 signature over
 * the bytes sent, so records it signs verify with the public key alone, like any other. Written here
 * because the protocol needs two messages and the npm agent clients bring whole SSH stacks along.
 */
import { createConnection } from 'node:net';
import { InputError, errorMessage } from '../util/errors.js';
import { parseSshEd25519, publicKeyId } from './signers.js';
import type { KeySigner } from './personal-key.js';

type Env = Readonly<Record<string, string | undefined>>;

const REQUEST_IDENTITIES = 11;
const IDENTITIES_ANSWER = 12;
const SIGN_REQUEST = 13;
const SIGN_RESPONSE = 14;
const TIMEOUT_MS = 10_000;

const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};
const sshString = (bytes: Buffer) => Buffer.concat([u32(bytes.length), bytes]);

/** One request, one answer over SSH_AUTH_SOCK. */
function exchange(socketPath: string, type: number, payload: Buffer): Promise<{ type: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error(`ssh-agent did not answer within ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS);
    socket.on('connect', () => socket.write(Buffer.concat([u32(payload.length + 1), Buffer.from([type]), payload])));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readUInt32BE(0)) return;
      clearTimeout(timer);
      socket.end();
      resolve({ type: received[4] as number, body: received.subarray(5, 4 + received.readUInt32BE(0)) });
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function readString(buffer: Buffer, offset: number): [Buffer, number] {
  const length = buffer.readUInt32BE(offset);
  return [buffer.subarray(offset + 4, offset + 4 + length), offset + 4 + length];
}

export async function agentSigner(env: Env): Promise<KeySigner> {
  const socketPath = env.SSH_AUTH_SOCK;
  if (!socketPath) throw new InputError('--ssh-agent: SSH_AUTH_SOCK is not set (start ssh-agent and ssh-add your Ed25519 key)');
  let answer;
  try {
    answer = await exchange(socketPath, REQUEST_IDENTITIES, Buffer.alloc(0));
  } catch (error) {
    throw new InputError(`--ssh-agent: cannot reach ssh-agent at SSH_AUTH_SOCK: ${errorMessage(error)}`);
  }
  if (answer.type !== IDENTITIES_ANSWER) throw new InputError('--ssh-agent: the agent refused to list its keys');
  const count = answer.body.readUInt32BE(0);
  let offset = 4;
  for (let index = 0; index < count; index++) {
    const [blob, next] = readString(answer.body, offset);
    [, offset] = readString(answer.body, next);
    const [type] = readString(blob, 0);
    if (type.toString('latin1') !== 'ssh-ed25519') continue;
    const publicKey = parseSshEd25519('ssh-ed25519', blob.toString('base64'));
    if (typeof publicKey === 'string') continue;
    return {
      alg: 'ed25519',
      keyId: publicKeyId(publicKey),
      publicKey,
      source: 'ssh-agent',
      async sign(payload) {
        const reply = await exchange(socketPath, SIGN_REQUEST, Buffer.concat([sshString(blob), sshString(Buffer.from(payload)), u32(0)]));
        if (reply.type !== SIGN_RESPONSE) throw new InputError('ssh-agent refused to sign (is the key still loaded? ssh-add -l)');
        const [signature] = readString(reply.body, 0);
        const [, afterType] = readString(signature, 0);
        const [raw] = readString(signature, afterType);
        return raw.toString('base64');
      },
    };
  }
  throw new InputError('--ssh-agent: the agent holds no Ed25519 key (ssh-add ~/.ssh/id_ed25519)');
}
