import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/engine/registry.js';
import { variablesOfProbe } from '../../src/target/probe-variables.js';
import { KNOWN_VARIABLES } from '../../src/target/variables.js';

describe("init's table of the variables each probe reads", () => {
  it('covers every registered probe, with names BazaarHub defines', async () => {
    // DKIM_SELECTOR is mail.dkim's own setting, not one of BazaarHub's variables.
    const known = new Set<string>([...KNOWN_VARIABLES, 'DKIM_SELECTOR']);
    for (const probe of (await loadRegistry()).values()) {
      const names = variablesOfProbe(probe.id, {});
      expect(names, `${probe.id} has no entry in src/target/probe-variables.ts`).toBeDefined();
      for (const name of names ?? []) expect(known.has(name), `${probe.id}: ${name}`).toBe(true);
    }
  });

  it('takes env probes\' variables from their params', () => {
    expect(variablesOfProbe('env.secret-strength', { variables: ['SMS_AUTH_TOKEN'] })).toEqual(['SMS_AUTH_TOKEN']);
    expect(variablesOfProbe('env.flags', { expect: { LOG_LEVEL: 'info' } })).toEqual(['LOG_LEVEL']);
  });
});
