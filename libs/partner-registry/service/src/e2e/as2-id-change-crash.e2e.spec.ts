import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RESERVATION_GRACE_MS, EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { As2IdChangeCompletionReactor } from '../reactions/as2-id-change/as2-id-change-completion.reactor';
import { PartnerDirectoryService } from '../write-model/partner-directory.service';
import { apiAs, decisionsFailOn, eventsWith, freshTenant, partnerInput, releasesAfterRestart } from './partner-api.spec-support';

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

  it('a crash after the new id was claimed and before the change: the claimed id is taken by another partner once the grace is past, never before', async () => {
    const account = `claim-crash-account-${process.pid}`;
    const tenant = freshTenant();
    let clock = new Date();
    const first = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir, now: () => clock });
    let partnerId: string;
    let other: string;
    try {
      const api = apiAs(first, { account, tenant });
      partnerId = (await api.post('/v1/partners', partnerInput('CLAIM-OLD'))).body.data.id as string;
      other = (await api.post('/v1/partners', partnerInput('CLAIM-OTHER'))).body.data.id as string;
      // The process dies between the directory's claim and the partner's change: neither the change nor the settlement runs.
      decisionsFailOn(first, `partner-${partnerId}`);
      jest.spyOn(first.app.get(PartnerDirectoryService), 'settleClaim').mockRejectedValue(new Error('process killed'));
      expect((await api.post(`/v1/partners/${partnerId}/as2-id-change`, { new_as2_id: 'CLAIM-NEW', acknowledge_risks: true })).status).toBe(500);
      jest.restoreAllMocks();
      expect((await first.app.get<EventStore>(EVENT_STORE).readStream(`partner-${partnerId}`)).map((e) => e.type)).toEqual(['partner.created.v1']);
      // Within the grace the change may still be under way somewhere: the claim holds.
      clock = new Date(clock.getTime() + DEFAULT_RESERVATION_GRACE_MS - 5_000);
      expect((await api.post('/v1/partners', partnerInput('CLAIM-NEW'))).body.error.code).toBe('DUPLICATE_AS2_ID');
      expect((await api.get(`/v1/partners/${other}/as2-id-change/impact?new_as2_id=CLAIM-NEW`)).body.data.new_as2_id_available).toBe(false);
    } finally {
      await first.close();
    }

    clock = new Date(clock.getTime() + 10_000);
    const second = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir, now: () => clock });
    try {
      const api = apiAs(second, { account, tenant });
      expect((await api.get(`/v1/partners/${other}/as2-id-change/impact?new_as2_id=CLAIM-NEW`)).body.data.new_as2_id_available).toBe(true);
      expect((await api.post('/v1/partners', partnerInput('CLAIM-NEW'))).status).toBe(201);
      const released = await eventsWith(second, 'partner_directory.as2_id_released.v1', 'as2Id', 'CLAIM-NEW');
      expect(released.map((e) => e.data)).toEqual([expect.objectContaining({ partnerId, reason: 'changed' })]);
      // The partner keeps the id it has; its change to the one just taken is refused.
      expect((await api.post('/v1/partners', partnerInput('CLAIM-OLD'))).body.error.code).toBe('DUPLICATE_AS2_ID');
      expect((await api.post(`/v1/partners/${partnerId}/as2-id-change`, { new_as2_id: 'CLAIM-NEW', acknowledge_risks: true })).body.error.code).toBe('DUPLICATE_AS2_ID');
      expect((await api.get(`/v1/partners/${partnerId}`)).body.data.as2_id).toBe('CLAIM-OLD');
    } finally {
      await second.close();
    }
  }, 120_000);

  it('a change applied and not settled (its completion stopped) keeps its new id past the grace: read on the partner, never taken', async () => {
    const account = `claim-applied-account-${process.pid}`;
    const tenant = freshTenant();
    let clock = new Date();
    const app = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], now: () => clock });
    try {
      const api = apiAs(app, { account, tenant });
      const partnerId = (await api.post('/v1/partners', partnerInput('APPLIED-OLD'))).body.data.id as string;
      await app.app.get(As2IdChangeCompletionReactor).stop();
      jest.spyOn(app.app.get(PartnerDirectoryService), 'settleClaim').mockRejectedValue(new Error('process killed'));
      expect((await api.post(`/v1/partners/${partnerId}/as2-id-change`, { new_as2_id: 'APPLIED-NEW', acknowledge_risks: true })).status).toBe(500);
      jest.restoreAllMocks();
      clock = new Date(clock.getTime() + DEFAULT_RESERVATION_GRACE_MS + 60_000);
      expect((await api.post('/v1/partners', partnerInput('APPLIED-NEW'))).body.error.code).toBe('DUPLICATE_AS2_ID');
    } finally {
      await app.close();
    }
  }, 120_000);
});
