import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryReservations, EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { As2InstanceRenameCompletionReactor } from '../reactions/as2-instance-rename/as2-instance-rename-completion.reactor';
import { apiAs, freshTenant, instanceInput, releasesAfterRestart } from './partner-api.spec-support';

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
      const reservations = first.app.get(DirectoryReservations);
      const release = reservations.release.bind(reservations);
      jest.spyOn(reservations, 'release').mockImplementation((directory, command, metadata) =>
        (command as { type: string }).type === 'settle_key_claim' ? Promise.reject(new Error('process killed')) : release(directory, command, metadata),
      );
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
});
