import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { As2IdChangeCompletionReactor } from '../reactions/as2-id-change/as2-id-change-completion.reactor';
import { PartnerDirectoryService } from '../write-model/partner-directory.service';
import { apiAs, freshTenant, partnerInput, releasesAfterRestart } from './partner-api.spec-support';

describe('an AS2-id change interrupted between the change and the release of the old id (embedded, restart)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'as2-id-change-crash-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps the old id reserved until the restart, when the recorded change releases it once', async () => {
    const account = `crash-account-${process.pid}`;
    const tenant = freshTenant();
    const first = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
    let partnerId: string;
    try {
      const api = apiAs(first, { account, tenant });
      partnerId = (await api.post('/v1/partners', partnerInput('CRASH-OLD'))).body.data.id as string;
      // The process dies right after the partner's stream took the new id: its reactor stops, the release never runs.
      await first.app.get(As2IdChangeCompletionReactor).stop();
      jest.spyOn(first.app.get(PartnerDirectoryService), 'settleClaim').mockRejectedValue(new Error('process killed'));
      const changed = await api.post(`/v1/partners/${partnerId}/as2-id-change`, { new_as2_id: 'CRASH-NEW', acknowledge_risks: true });
      expect(changed.status).toBe(500);
      expect((await first.app.get<EventStore>(EVENT_STORE).readStream(`partner-${partnerId}`)).map((e) => e.type)).toEqual(['partner.created.v1', 'partner.as2_id_changed.v1']);
      // Without the completion the old id stays taken by a partner that no longer has it.
      expect((await api.post('/v1/partners', partnerInput('CRASH-OLD'))).body.error.code).toBe('DUPLICATE_AS2_ID');
    } finally {
      await first.close();
    }

    const second = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
    try {
      const api = apiAs(second, { account, tenant });
      const { released, again: releases } = await releasesAfterRestart(second, 'partner_directory.as2_id_released.v1', 'as2Id', 'CRASH-OLD');
      expect(released.map((e) => e.data)).toEqual([expect.objectContaining({ partnerId, reason: 'changed' })]);
      expect(released[0].metadata.actor.type).toBe('service');
      expect((await api.post('/v1/partners', partnerInput('CRASH-OLD'))).status).toBe(201);
      // The new id stays the partner's, and it is released once only.
      expect((await api.post('/v1/partners', partnerInput('CRASH-NEW'))).body.error.code).toBe('DUPLICATE_AS2_ID');
      expect(await releases()).toHaveLength(1);
    } finally {
      await second.close();
    }
  }, 120_000);
});
