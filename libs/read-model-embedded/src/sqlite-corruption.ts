import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export { isSqliteCorruption } from '@as2-partners/kernel';

/** Beside a read-model file: written when the file is found corrupt, so the next start sets it aside and rebuilds. */
export const corruptionMarkerOf = (file: string): string => `${file}.corrupt`;

/** Says the read-model file is corrupt (why), for the next start. */
export function markCorrupt(file: string, reason: string): void {
  writeFileSync(corruptionMarkerOf(file), `${new Date().toISOString()} ${reason}\n`);
}

/**
 * When the last run found the read-model file corrupt: moves it (and its WAL) aside to `<file>.corrupt-<time>` and drops
 * its kept texts, so this start opens a new file that its followers fill again from the event store (read models
 * hold nothing the events do not). The path it was moved to, or null when it was not marked.
 */
export function setAsideIfMarkedCorrupt(file: string): string | null {
  const marker = corruptionMarkerOf(file);
  if (!existsSync(marker)) return null;
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${aside}${suffix}`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}-kept-texts${suffix}`, { force: true });
  rmSync(marker, { force: true });
  return aside;
}
