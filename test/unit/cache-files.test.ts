import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCacheFile, writeCacheFile } from '../../src/util/cache-files.cjs';
import { withTempDir } from '../helpers/cli.js';

describe('cache files', () => {
  it('keeps the most recently used files, not the most recently written', async () => {
    await withTempDir(async (dir) => {
      const old = new Date(Date.now() - 60_000);
      writeCacheFile(dir, 'a.bin', 'a', 2);
      writeCacheFile(dir, 'b.bin', 'b', 2);
      utimesSync(join(dir, 'a.bin'), old, old);
      utimesSync(join(dir, 'b.bin'), new Date(Date.now() - 30_000), new Date(Date.now() - 30_000));
      // a is the oldest written, but used now: b is the one to go when c arrives.
      expect(readCacheFile(dir, 'a.bin')?.toString()).toBe('a');
      writeCacheFile(dir, 'c.bin', 'c', 2);
      expect(existsSync(join(dir, 'a.bin'))).toBe(true);
      expect(existsSync(join(dir, 'b.bin'))).toBe(false);
      expect(existsSync(join(dir, 'c.bin'))).toBe(true);
      expect(readCacheFile(dir, 'missing.bin')).toBeUndefined();
    });
  });
});
