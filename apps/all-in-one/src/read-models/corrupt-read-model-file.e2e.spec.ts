import { existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';

/** Random bytes over the middle third of a file: pages SQLite wrote, now not what it wrote (a torn disk, a stray write). */
function corruptMiddle(file: string): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(Math.floor(size / 3)), 0, Math.floor(size / 3), Math.floor(size / 3));
  } finally {
    closeSync(fd);
  }
}

describe('a corrupt read-model file (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-damaged-read-models-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = () => createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
  const setAsideFiles = () => readdirSync(dataDir).filter((name) => /^read-models\.sqlite\.corrupt-.*Z$/.test(name));
  const list = (test: EmbeddedTestApp, query: string) =>
    test.app.inject({ method: 'GET', url: `/v1/partners?${query}`, headers: { authorization: `Bearer ${test.token()}` } });

  it('answers 503 STORE_UNAVAILABLE (not 500), is not ready, and the next start sets the file aside and rebuilds every read from the events', async () => {
    const first = await start();
    const plan = await first.app.inject({
      method: 'POST',
      url: '/v1/accounts/test-account/tenants',
      headers: { authorization: `Bearer ${first.token({ tenant: null, roles: ['account_admin'] })}` },
      payload: { id: 'test-tenant', name: 'Corrupt', plan: 'enterprise' },
    });
    expect(plan.statusCode).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const created = await first.app.inject({
        method: 'POST',
        url: '/v1/partners',
        headers: { authorization: `Bearer ${first.token()}` },
        payload: { name: `Partner ${i}`, as2_id: `CORRUPT-${i}`, url: 'https://as2.example.com/receive' },
      });
      expect(created.statusCode).toBe(201);
      ids.push(created.json().data.id);
    }
    await first.close();
    corruptMiddle(join(dataDir, 'read-models.sqlite'));

    // Which pages the bytes hit decides where the corruption is met: by the open itself (the file is set aside at once
    // and the start goes on), by the followers' first reads (the start fails saying so, the file marked), or only by
    // requests (below). In the last two the next start repairs it.
    let second: EmbeddedTestApp;
    try {
      second = await start();
    } catch (error) {
      // SQLite's words, not the data directory's name: a start failing for another reason (a lock, a path) shows here.
      expect(String(error)).toMatch(/malformed|not a database|file is corrupt/);
      // Marked whichever way the start met it (seen in CI: a page PRAGMA quick_check passes; the failed start marks it all the same).
      // The start's error in the diff when it is not marked (one CI run under load found it unmarked; its error unseen then).
      const stack = (error as { stack?: string }).stack ?? String(error);
      expect({ marked: existsSync(join(dataDir, 'read-models.sqlite.corrupt')), stack }).toEqual({ marked: true, stack });
      const third = await start();
      return await expectRebuilt(third);
    }
    if (setAsideFiles().length > 0) return await expectRebuilt(second);
    try {
      const [listed, searched] = [await list(second, 'per_page=100'), await list(second, 'search=corrupt-1')];
      // Before: 500 INTERNAL_ERROR, while /health/ready answered 200. A read that touches no corrupt page answers 200.
      const refused = [listed, searched].filter((answer) => answer.statusCode !== 200);
      for (const answer of refused) {
        expect([answer.statusCode, answer.json().error.code]).toEqual([503, 'STORE_UNAVAILABLE']);
        expect(answer.headers['retry-after']).toBeDefined();
      }
      if (refused.length === 0) return;
      const ready = await second.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error.details.readModelStore).toEqual({ status: 'down' });
      expect(existsSync(join(dataDir, 'read-models.sqlite.corrupt'))).toBe(true);
    } finally {
      await second.close();
    }
    await expectRebuilt(await start());

    /** Ready, the corrupt file set aside once, and every read right again. */
    async function expectRebuilt(third: EmbeddedTestApp): Promise<void> {
      try {
        expect((await third.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
        expect(setAsideFiles()).toHaveLength(1);
        expect(existsSync(join(dataDir, 'read-models.sqlite.corrupt'))).toBe(false);
        // Ready at once; the new file fills from the events behind it (a machine under load may take a moment).
        const listed = await eventually(
          'the rebuilt read models to list all 120 partners',
          async () => {
            const answer = await list(third, 'per_page=100&page=2');
            return answer.statusCode === 200 && (answer.json().pagination?.total ?? answer.json().meta?.total) === 120 ? answer : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 50 },
        );
        expect(listed.json().data).toHaveLength(20);
        const searched = await list(third, 'search=corrupt-119');
        expect(searched.json().data.map((p: { id: string }) => p.id)).toEqual([ids[119]]);
        const details = await third.app.inject({ method: 'GET', url: `/v1/partners/${ids[7]}`, headers: { authorization: `Bearer ${third.token()}` } });
        expect([details.statusCode, details.json().data.as2_id]).toEqual([200, 'CORRUPT-7']);
      } finally {
        await third.close();
      }
    }
  }, 120_000);

  it('a file that is no database at all (its header overwritten) is set aside at the start, which goes on with every read rebuilt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-notadb-read-models-'));
    try {
      const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir: dir });
      const created = await first.app.inject({
        method: 'POST',
        url: '/v1/partners',
        headers: { authorization: `Bearer ${first.token()}` },
        payload: { name: 'Survivor', as2_id: 'NOTADB-1', url: 'https://as2.example.com/receive' },
      });
      expect(created.statusCode).toBe(201);
      await first.close();
      const fd = openSync(join(dir, 'read-models.sqlite'), 'r+');
      writeSync(fd, randomBytes(100), 0, 100, 0);
      closeSync(fd);

      // Before: the start failed ("file is not a database").
      const second = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir: dir });
      try {
        expect((await second.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
        expect(readdirSync(dir).filter((name) => /^read-models\.sqlite\.corrupt-.*Z$/.test(name))).toHaveLength(1);
        const details = await second.app.inject({ method: 'GET', url: `/v1/partners/${created.json().data.id}`, headers: { authorization: `Bearer ${second.token()}` } });
        expect([details.statusCode, details.json().data.as2_id]).toEqual([200, 'NOTADB-1']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
