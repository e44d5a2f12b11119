import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeLeftoverScratch } from './throwaway-warm-up';

describe("a start's leftover warm-up directories", () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'warm-up-scratch-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("removes those of processes no longer running and old ones naming no process; keeps a running process's and anything else", async () => {
    // The id of a process that has exited.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const made = (name: string, ageMs = 0) => {
      mkdirSync(join(root, name));
      mkdirSync(join(root, name, 'inside'));
      if (ageMs > 0) utimesSync(join(root, name), new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
    };
    made(`as2-warm-up-${gone}-AbC123`);
    made(`as2-warm-up-${process.pid}-DeF456`);
    made(`as2-warm-up-${process.ppid}-GhI789`);
    made('as2-warm-up-OldOne', 60 * 60_000);
    made('as2-warm-up-NewOne');
    made('someone-else-1');
    await removeLeftoverScratch(root);
    expect(readdirSync(root).sort()).toEqual([`as2-warm-up-${process.pid}-DeF456`, `as2-warm-up-${process.ppid}-GhI789`, 'as2-warm-up-NewOne', 'someone-else-1'].sort());
    expect(existsSync(join(root, `as2-warm-up-${gone}-AbC123`))).toBe(false);
  });

  it('does nothing for a root it cannot read', async () => {
    await expect(removeLeftoverScratch(join(root, 'missing'))).resolves.toBeUndefined();
  });
});
