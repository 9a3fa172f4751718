import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('loopback guard (tests never leave 127.0.0.1)', () => {
  it('refuses public names and addresses in the test process', async () => {
    await expect(lookup('api.razorpay.com')).rejects.toThrow(/loopback guard/);
    expect(() => connect({ host: '10.0.0.1', port: 80 })).toThrow(/loopback guard/);
    expect((await lookup('localhost')).address).toMatch(/^(127\.|::1)/);
  });

  it('is preloaded into the binaries the tests spawn', async () => {
    const { stdout } = await runCli(['run', '--set', 'SHIPROCKET_API_KEY=k3y-abcdef', '--only', 'shiprocket.', '--format', 'json', '--quiet']);
    expect(JSON.parse(stdout).results[0].observed).toMatch(/loopback guard|ENOTFOUND/);
  });
});
