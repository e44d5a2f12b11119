import { copyFileSync, cpSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInfrastructure } from '@as2-partners/composition';
import { CannotStartError } from '@as2-partners/kernel';
import { loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';
import { createEmbeddedTestApp, removeDataFile, TEST_JWT_SECRET, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from './all-in-one.module';
import { runEntry } from './run-entry.spec-support';

// A case starts the whole app in a child process: on a loaded 2-core machine that took up to 25 s.
jest.setTimeout(120_000);

const partner = (as2Id: string) => ({ name: `Partner ${as2Id}`, as2_id: as2Id, url: 'https://as2.example.com/receive' });

function api(t: EmbeddedTestApp) {
  const headers = { authorization: `Bearer ${t.token()}` };
  return {
    create: async (as2Id: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/partners', headers, payload: partner(as2Id) });
      return { status: res.statusCode, id: res.statusCode === 201 ? (res.json().data.id as string) : undefined, code: res.statusCode === 201 ? undefined : (res.json().error?.code as string) };
    },
    status: async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/partners/${id}`, headers })).statusCode,
    listed: async () => ((await t.app.inject({ method: 'GET', url: '/v1/partners', headers })).json().data as { as2_id: string }[]).map((listed) => listed.as2_id).sort(),
  };
}

/**
 * What a start's opening of the data directory rejects with (null: it opened, and is closed again): the adapters alone,
 * as the app's start opens them first (a Nest start refused there leaves the bundled TSA's server open in this process).
 */
const refusalOf = (dataDir: string): Promise<unknown> =>
  openInfrastructure(loadPlatformConfig({ DATA_DIR: dataDir }), 'spec').then(
    async (opened) => {
      await opened.close();
      return null;
    },
    (error: unknown) => error,
  );

describe('a start whose events.sqlite is behind what the read models have seen (embedded mode): refused, never served from the read models', () => {
  const root = mkdtempSync(join(tmpdir(), 'as2-events-behind-'));
  const seeded = join(root, 'seeded');
  const copyOfSeeded = (name: string): string => {
    const dataDir = join(root, name);
    cpSync(seeded, dataDir, { recursive: true });
    return dataDir;
  };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    const t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir: seeded });
    for (const as2Id of ['KEPT-1', 'KEPT-2', 'KEPT-3']) expect((await api(t).create(as2Id)).status).toBe(201);
    await t.close();
  }, 120_000);

  it('events.sqlite cut to nothing: exits 1 with one line naming the file and what to do, not a stack', async () => {
    const dataDir = copyOfSeeded('cut');
    const file = join(dataDir, 'events.sqlite');
    truncateSync(file, 0);

    const exit = await runEntry('all-in-one/src/main', { WARM_UP: 'off', LOG_LEVEL: 'error' }, dataDir);
    expect(exit.code).toBe(1);
    expect(exit.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^Cannot start: the event store file ${file} holds no event, but the read models in ${join(dataDir, 'read-models.sqlite')} have followed it up to position \\d+: .+Stop the service and restore events\\.sqlite from its backup; .+ \\(README\\)$`),
      ),
    ]);
  });

  it('events.sqlite removed while the server runs: the restart is refused, and refused again (not served from the empty store it would make)', async () => {
    const dataDir = copyOfSeeded('removed');
    const t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    expect((await api(t).create('WRITTEN-BEFORE-REMOVAL')).status).toBe(201);
    removeDataFile(dataDir, 'events.sqlite');
    await t.close();

    for (let start = 0; start < 2; start++) {
      const failure = await refusalOf(dataDir);
      expect(failure).toBeInstanceOf(CannotStartError);
      expect((failure as Error).message).toMatch(/^the event store file .+events\.sqlite holds no event, but the read models in .+ have followed it up to position \d+: /);
    }
  });

  it('an older copy of events.sqlite restored: refused until the read models are rebuilt from it, then serves what it holds and projects what comes next', async () => {
    const dataDir = copyOfSeeded('restored');
    const backup = join(root, 'events-backup.sqlite');
    copyFileSync(join(dataDir, 'events.sqlite'), backup);
    const later = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    const lost = await api(later).create('LOST-WITH-THE-COPY');
    expect(lost.status).toBe(201);
    await later.close();
    removeDataFile(dataDir, 'events.sqlite');
    copyFileSync(backup, join(dataDir, 'events.sqlite'));

    expect(((await refusalOf(dataDir)) as Error).message).toMatch(/^the event store file .+events\.sqlite ends at position \d+, but the read models in .+ have followed it up to position \d+: /);

    await rebuildReadModels(AllInOneModule, loadPlatformConfig({ DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn' }), { openInfrastructure });
    const t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    try {
      const partners = api(t);
      expect(await partners.status(lost.id as string)).toBe(404);
      expect(await partners.create('KEPT-1')).toEqual({ status: 422, id: undefined, code: 'DUPLICATE_AS2_ID' });
      const next = await partners.create('WRITTEN-AFTER-RESTORE');
      expect(next.status).toBe(201);
      expect(await partners.status(next.id as string)).toBe(200);
      expect(await partners.listed()).toEqual(['KEPT-1', 'KEPT-2', 'KEPT-3', 'WRITTEN-AFTER-RESTORE']);
    } finally {
      await t.close();
    }
  });

  it('starts with read models behind the events (an older read-model file: they catch up) and with the read-model files moved aside too (starts over)', async () => {
    const dataDir = copyOfSeeded('behind');
    const olderReadModels = join(root, 'read-models-older.sqlite');
    copyFileSync(join(dataDir, 'read-models.sqlite'), olderReadModels);
    const later = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    expect((await api(later).create('AFTER-THE-OLDER-FILE')).status).toBe(201);
    await later.close();
    removeDataFile(dataDir, 'read-models.sqlite');
    copyFileSync(olderReadModels, join(dataDir, 'read-models.sqlite'));

    const t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    try {
      const partners = api(t);
      // The store-fed views catch up behind the start.
      let listed = await partners.listed();
      for (let wait = 0; wait < 50 && listed.length < 4; wait++) listed = await new Promise((done) => setTimeout(done, 100)).then(() => partners.listed());
      expect(listed).toEqual(['AFTER-THE-OLDER-FILE', 'KEPT-1', 'KEPT-2', 'KEPT-3']);
    } finally {
      await t.close();
    }

    removeDataFile(dataDir, 'events.sqlite');
    removeDataFile(dataDir, 'read-models.sqlite');
    rmSync(join(dataDir, 'read-models.sqlite-kept-texts'), { force: true });
    const over = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    try {
      expect(await api(over).listed()).toEqual([]);
    } finally {
      await over.close();
    }
  });
});
