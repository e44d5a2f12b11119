import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RESERVATION_GRACE_MS, DirectoryReservations, EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { As2InstanceRenameCompletionReactor } from '../reactions/as2-instance-rename/as2-instance-rename-completion.reactor';
import { apiAs, decisionsFailOn, eventsWith, freshTenant, instanceInput, releasesAfterRestart } from './partner-api.spec-support';

/** The process "dies" before a change's claim is settled: every settlement fails (restore with jest.restoreAllMocks). */
function settlementsFail(test: EmbeddedTestApp): void {
  const reservations = test.app.get(DirectoryReservations);
  const release = reservations.release.bind(reservations);
  jest.spyOn(reservations, 'release').mockImplementation((directory, command, metadata) =>
    (command as { type: string }).type === 'settle_key_claim' ? Promise.reject(new Error('process killed')) : release(directory, command, metadata),
  );
}

describe("a change of an AS2 instance's my_as2_id interrupted between the change and its settlement (embedded, restart)", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'as2-instance-rename-crash-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps the old id reserved until the restart, when the recorded change settles its claim and frees the old id once', async () => {
    const account = `rename-crash-account-${process.pid}`;
    const tenant = freshTenant();
    const first = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
    let instanceId: string;
    try {
      const api = apiAs(first, { account, tenant });
      instanceId = (await api.post('/v1/as2-instances', instanceInput('RENAME-OLD'))).body.data.id as string;
      // The process dies right after the instance's stream took the new id: its reactor stops, the settlement never runs.
      await first.app.get(As2InstanceRenameCompletionReactor).stop();
      settlementsFail(first);
      const changed = await api.patch(`/v1/as2-instances/${instanceId}`, { my_as2_id: 'RENAME-NEW' });
      expect(changed.status).toBe(500);
      expect((await first.app.get<EventStore>(EVENT_STORE).readStream(`as2_instance-${instanceId}`)).map((e) => e.type)).toEqual(['as2_instance.created.v1', 'as2_instance.updated.v1']);
      // Without the completion the old id stays taken by an instance that no longer has it.
      expect((await api.post('/v1/as2-instances', instanceInput('RENAME-OLD'))).body.error.code).toBe('DUPLICATE_MY_AS2_ID');
    } finally {
      await first.close();
    }

    const second = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
    try {
      const api = apiAs(second, { account, tenant });
      const { released, again: releases } = await releasesAfterRestart(second, 'unique_key_directory.key_released.v1', 'key', 'RENAME-OLD');
      expect(released.map((e) => e.data)).toEqual([expect.objectContaining({ holderId: instanceId, reason: 'changed' })]);
      expect(released[0].metadata.actor.type).toBe('service');
      expect((await api.post('/v1/as2-instances', instanceInput('RENAME-OLD'))).status).toBe(201);
      // The new id stays the instance's, and the old one is released once only.
      expect((await api.post('/v1/as2-instances', instanceInput('RENAME-NEW'))).body.error.code).toBe('DUPLICATE_MY_AS2_ID');
      expect(await releases()).toHaveLength(1);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('a crash after the new id was claimed and before the change: the claimed id is taken by another instance once the grace is past, never before', async () => {
    const account = `claim-crash-account-${process.pid}`;
    const tenant = freshTenant();
    let clock = new Date();
    const first = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir, now: () => clock });
    let instanceId: string;
    try {
      const api = apiAs(first, { account, tenant });
      instanceId = (await api.post('/v1/as2-instances', instanceInput('CLAIM-OLD'))).body.data.id as string;
      // The process dies between the directory's claim and the instance's change: neither the change nor the settlement runs.
      decisionsFailOn(first, `as2_instance-${instanceId}`);
      settlementsFail(first);
      expect((await api.patch(`/v1/as2-instances/${instanceId}`, { my_as2_id: 'CLAIM-NEW' })).status).toBe(500);
      jest.restoreAllMocks();
      expect((await first.app.get<EventStore>(EVENT_STORE).readStream(`as2_instance-${instanceId}`)).map((e) => e.type)).toEqual(['as2_instance.created.v1']);
      // Within the grace the change may still be under way somewhere: the claim holds.
      clock = new Date(clock.getTime() + DEFAULT_RESERVATION_GRACE_MS - 5_000);
      expect((await api.post('/v1/as2-instances', instanceInput('CLAIM-NEW'))).body.error.code).toBe('DUPLICATE_MY_AS2_ID');
    } finally {
      await first.close();
    }

    clock = new Date(clock.getTime() + 10_000);
    const second = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir, now: () => clock });
    try {
      const api = apiAs(second, { account, tenant });
      expect((await api.post('/v1/as2-instances', instanceInput('CLAIM-NEW'))).status).toBe(201);
      const released = await eventsWith(second, 'unique_key_directory.key_released.v1', 'key', 'CLAIM-NEW');
      expect(released.map((e) => e.data)).toEqual([expect.objectContaining({ holderId: instanceId, reason: 'changed' })]);
      // The instance keeps the id it has; its next change to the one just taken is refused.
      expect((await api.post('/v1/as2-instances', instanceInput('CLAIM-OLD'))).body.error.code).toBe('DUPLICATE_MY_AS2_ID');
      expect((await api.patch(`/v1/as2-instances/${instanceId}`, { my_as2_id: 'CLAIM-NEW' })).body.error.code).toBe('DUPLICATE_MY_AS2_ID');
      expect((await api.get(`/v1/as2-instances/${instanceId}`)).body.data.my_as2_id).toBe('CLAIM-OLD');
    } finally {
      await second.close();
    }
  }, 120_000);

  it('a change applied and not settled (its completion stopped) keeps its new id past the grace: read on the instance, never taken', async () => {
    const account = `claim-applied-account-${process.pid}`;
    const tenant = freshTenant();
    let clock = new Date();
    const app = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], now: () => clock });
    try {
      const api = apiAs(app, { account, tenant });
      const instanceId = (await api.post('/v1/as2-instances', instanceInput('APPLIED-OLD'))).body.data.id as string;
      await app.app.get(As2InstanceRenameCompletionReactor).stop();
      settlementsFail(app);
      expect((await api.patch(`/v1/as2-instances/${instanceId}`, { my_as2_id: 'APPLIED-NEW' })).status).toBe(500);
      jest.restoreAllMocks();
      clock = new Date(clock.getTime() + DEFAULT_RESERVATION_GRACE_MS + 60_000);
      expect((await api.post('/v1/as2-instances', instanceInput('APPLIED-NEW'))).body.error.code).toBe('DUPLICATE_MY_AS2_ID');
    } finally {
      await app.close();
    }
  }, 120_000);
});
