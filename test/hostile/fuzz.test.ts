import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/engine/registry.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { syncCatalog } from '../../src/catalog/sync.js';
import { assertParsable } from '../../src/checklist/limits.js';
import { parseChecklist } from '../../src/checklist/parse.js';
import { parseEnvFile } from '../../src/target/env-file.js';
import { buildTarget } from '../../src/target/target.js';
import { InputError } from '../../src/util/errors.js';
import { Redactor } from '../../src/util/redact.js';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

const probes = [...(await loadRegistry()).values()];

/**
 * Mutated valid inputs: the parsers and loaders either succeed or refuse with an InputError (exit 2,
 * one line); nothing else may escape. Most cases run in-process; a handful go through the binary.
 */
const CHECKLIST = readFileSync(join(ROOT, 'checklists/deployment.md'), 'utf8').split('\n').slice(0, 120).join('\n');
const CATALOG = readFileSync(join(ROOT, 'bazaarhub-checks.yaml'), 'utf8').split('\n').slice(0, 160).join('\n');
const ENV = readFileSync(join(ROOT, 'test/fixtures/good.env'), 'utf8');
const registry = await loadRegistry();

const snippet = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 4, unit: 'grapheme' }),
  fc.constantFrom('\n', '\r\n', '\r', '\t', '\u0000', '\uFEFF', '```', '~~~', '- [ ] ', '- [x] ', '## ', '> ', '    ', '*', '_', '[', ']', '`', '<!--', '<div>', '&amp;', '\\', '"', "'", ': ', '- ', '&a ', '*a', '!!str ', '{', '}', '[', '---\n', '=', 'export ', '#', '%YAML 1.2\n', '? ', '|\n', '>-\n', '\u2028', '✅ '),
);

/** Inserts, deletes, duplicates and replaces pieces of `text`. */
function mutated(text: string) {
  const mutation = fc.oneof(
    fc.tuple(fc.constant('insert' as const), fc.nat(), snippet),
    fc.tuple(fc.constant('delete' as const), fc.nat(), fc.nat({ max: 40 })),
    fc.tuple(fc.constant('duplicate' as const), fc.nat(), fc.nat({ max: 200 })),
    fc.tuple(fc.constant('replace' as const), fc.nat(), snippet),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 8 }).map((mutations) =>
    mutations.reduce((current, [kind, at, arg]) => {
      const i = current.length ? at % current.length : 0;
      if (kind === 'insert') return current.slice(0, i) + (arg as string) + current.slice(i);
      if (kind === 'delete') return current.slice(0, i) + current.slice(i + (arg as number));
      if (kind === 'duplicate') return current.slice(0, i + (arg as number)) + current.slice(i);
      return current.slice(0, i) + (arg as string) + current.slice(i + (arg as string).length);
    }, text),
  );
}

const onlyInputErrors = (run: () => unknown): void => {
  try {
    run();
  } catch (error) {
    expect(error, String(error instanceof Error ? error.stack : error)).toBeInstanceOf(InputError);
    expect((error as Error).message).not.toContain('\n');
  }
};

describe('fuzz: mutated inputs never crash', () => {
  it('checklists: parse and sync, or refuse with one line', () => {
    fc.assert(
      fc.property(mutated(CHECKLIST), fc.constantFrom(undefined, CATALOG), (text, existing) => {
        onlyInputErrors(() => {
          assertParsable(text, 'c.md');
          const checklist = parseChecklist(text, 'c.md');
          syncCatalog(checklist, { catalogFile: 'c.yaml', checklistRef: 'checklists/deployment.md', existing, probes: [...probes], today: '2026-11-26' });
        });
      }),
      { numRuns: 300 },
    );
    // Every sync goes through the yaml Document API (the one catalog parser): ~50 ms each.
  }, 120_000);

  it('catalogs: load and re-sync, or refuse with one line', async () => {
    const checklist = parseChecklist(CHECKLIST, 'checklists/deployment.md');
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.yaml');
      await fc.assert(
        fc.asyncProperty(mutated(CATALOG), async (text) => {
          await writeFile(file, text);
          try {
            await loadCatalog(file, registry);
          } catch (error) {
            expect(error, String(error instanceof Error ? error.stack : error)).toBeInstanceOf(InputError);
          }
          onlyInputErrors(() => syncCatalog(checklist, { catalogFile: file, checklistRef: 'checklists/deployment.md', existing: text, probes: [...probes], today: '2026-11-26' }));
        }),
        { numRuns: 250 },
      );
    });
  });

  it('env files: parse and build a target, or refuse with one line', () => {
    fc.assert(
      fc.property(mutated(ENV), (text) => {
        onlyInputErrors(() => {
          const env = parseEnvFile(text, 'e.env');
          buildTarget({ envFile: 'e.env', fileValues: env.values, fileLines: env.lines }, new Redactor()).services();
        });
      }),
      { numRuns: 500 },
    );
  });

  it('through the binary: exit 0–3, never a stack trace', async () => {
    const samples = fc.sample(fc.tuple(mutated(CHECKLIST), mutated(CATALOG), mutated(ENV)), { numRuns: 4, seed: 20261126 });
    await withTempDir(async (dir) => {
      for (const [checklist, catalog, env] of samples) {
        await writeFile(join(dir, 'c.md'), checklist);
        await writeFile(join(dir, 'c.yaml'), catalog);
        await writeFile(join(dir, '.env'), env);
        for (const args of [
          ['catalog', 'check', '--checklist', 'c.md', '--catalog', 'c.yaml'],
          ['run', '--env-file', '.env', '--catalog', 'c.yaml', '--checklist', 'c.md', '--only', 'env.', '--quiet', '--timeout', '2'],
        ]) {
          const result = await runCli(args, { cwd: dir, timeoutMs: 30_000 });
          expect([0, 1, 2, 3], result.stderr).toContain(result.code);
          expect(result.stderr).not.toMatch(/\n\s+at .+:\d+|internal error/);
        }
      }
    });
  });
});
