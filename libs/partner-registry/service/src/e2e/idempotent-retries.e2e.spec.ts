import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { EVENT_STORE, EventStoreUnavailableError, READ_MODEL_STORE, WriteModel, type EventStore, type ReadModelStore } from '@as2-partners/kernel';
import { IDEMPOTENCY_LEASE_MS, type IdempotencyRecord } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { PartnerViewsProjection } from '../queries/partner-views/partner-views.projection';
import { freshTenant, instanceInput, partnerInput } from './partner-api.spec-support';

const HOUR = 3_600_000;

describe('Idempotency-Key and late views (partner-registry, embedded)', () => {
  let t: EmbeddedTestApp;
  let now = new Date('2026-11-30T10:00:00.000Z').getTime();

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], now: () => new Date(now) });
  });
  afterAll(() => t?.close());

  function post(tenant: string, key: string | undefined, payload: unknown, claims: Record<string, unknown> = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${t.token({ tenant, ...claims })}` };
    if (key !== undefined) headers['idempotency-key'] = key;
    return t.app.inject({ method: 'POST', url: '/v1/partners', headers, payload: payload as object });
  }

  async function partnersCreated(tenant: string): Promise<number> {
    const events = await t.app.get<EventStore>(EVENT_STORE).readAll({ after: null, maxCount: 100_000 });
    return events.filter((e) => e.type === 'partner.created.v1' && e.metadata.tenant === tenant).length;
  }

  it('the same key and body answer the first answer again, marked as a replay, and create nothing more', async () => {
    const tenant = freshTenant();
    const first = await post(tenant, 'key-1', partnerInput('IDEM-1'));
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(tenant, 'key-1', partnerInput('IDEM-1'));
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(again.headers['content-type']).toMatch(/application\/json/);
    // The same fields in another order, nested ones too, are the same body.
    const { name, as2_id, url } = partnerInput('IDEM-1B');
    expect((await post(tenant, 'key-1b', { name, as2_id, url, connection: { timeout_seconds: 60, retry_attempts: 3 } })).statusCode).toBe(201);
    const sameReordered = await post(tenant, 'key-1b', { connection: { retry_attempts: 3, timeout_seconds: 60 }, url, as2_id, name });
    expect([sameReordered.statusCode, sameReordered.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(await partnersCreated(tenant)).toBe(2);
    // Without a key the retry runs and is refused as a duplicate, as before.
    expect((await post(tenant, undefined, partnerInput('IDEM-1'))).json().error.code).toBe('DUPLICATE_AS2_ID');
  });

  it("waits for the key's records to be committed at the end of the request's turn, never for the read store's commit interval", async () => {
    const store = t.app.get<ReadModelStore>(READ_MODEL_STORE);
    const committed = jest.spyOn(store as Required<ReadModelStore>, 'committed');
    try {
      expect((await post(freshTenant(), 'key-soon', partnerInput('IDEM-SOON'))).statusCode).toBe(201);
      // The claim's and the answer's.
      expect(committed.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(committed.mock.calls.every(([options]) => options?.soon === true)).toBe(true);
    } finally {
      committed.mockRestore();
    }
  });

  it('the same key with another body is refused with 422 IDEMPOTENCY_KEY_REUSED and runs nothing', async () => {
    const tenant = freshTenant();
    expect((await post(tenant, 'key-2', partnerInput('IDEM-2'))).statusCode).toBe(201);
    const other = await post(tenant, 'key-2', partnerInput('IDEM-2B'));
    expect(other.statusCode).toBe(422);
    expect(other.json()).toEqual({ message: expect.any(String), error: { type: 'validation_error', code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await partnersCreated(tenant)).toBe(1);
  });

  it('keys are per tenant, and another user of the tenant never gets the first answer', async () => {
    const tenant = freshTenant();
    const other = freshTenant();
    expect((await post(tenant, 'shared-key', partnerInput('IDEM-3'))).statusCode).toBe(201);
    const elsewhere = await post(other, 'shared-key', partnerInput('IDEM-3'));
    expect(elsewhere.statusCode).toBe(201);
    expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
    const colleague = await post(tenant, 'shared-key', partnerInput('IDEM-3'), { sub: 'someone-else' });
    expect(colleague.statusCode).toBe(422);
    expect(colleague.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a request the guards refuse claims nothing: a read-only role gets its 403 afresh, no token is 401', async () => {
    const tenant = freshTenant();
    const readOnly = await post(tenant, 'key-4', partnerInput('IDEM-4'), { roles: ['tenant_user'] });
    expect(readOnly.statusCode).toBe(403);
    const again = await post(tenant, 'key-4', partnerInput('IDEM-4'), { roles: ['tenant_user'] });
    expect(again.statusCode).toBe(403);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    // The key is still free: the same user, once a writer, runs the request.
    const written = await post(tenant, 'key-4', partnerInput('IDEM-4'));
    expect(written.statusCode).toBe(201);
    expect(written.headers['idempotent-replayed']).toBeUndefined();
    const anonymous = await t.app.inject({ method: 'POST', url: '/v1/partners', headers: { 'idempotency-key': 'key-5' }, payload: partnerInput('IDEM-5') });
    expect(anonymous.statusCode).toBe(401);
    expect((await post(tenant, 'key-5', partnerInput('IDEM-5'))).statusCode).toBe(201);
  });

  it('covers DELETE too: a retried delete answers its first answer instead of 404', async () => {
    const tenant = freshTenant();
    const id = (await post(tenant, undefined, partnerInput('IDEM-DEL'))).json().data.id;
    const del = () => t.app.inject({ method: 'DELETE', url: `/v1/partners/${id}`, headers: { authorization: `Bearer ${t.token({ tenant })}`, 'idempotency-key': 'del-key' } });
    const first = await del();
    expect(first.statusCode).toBe(200);
    const retry = await del();
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toBe(first.body);
  });

  it("keeps no plain hash of a request whose body holds a password: the kept fingerprint confirms no guess, the retry still replays", async () => {
    const tenant = freshTenant();
    const httpAuth = { enabled: true, username: 'edi', password: 'Tr0ub4dor&3' };
    const body = partnerInput('IDEM-SECRET', { http_auth: httpAuth });
    const first = await post(tenant, 'secret-key', body);
    expect(first.statusCode).toBe(201);
    const keys = t.app.get<ReadModelStore>(READ_MODEL_STORE).collection<IdempotencyRecord>('platform_idempotency_keys');
    const kept = await keys.get(`test-account/${tenant}/secret-key`);
    // What a plain hash of the request would be, for the right password and a wrong one: neither is what is kept.
    const sorted = (value: unknown): unknown =>
      typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])])) : value;
    const plainHash = (password: string) =>
      createHash('sha256').update(['POST', '/v1/partners', 'test-user', 'tenant_admin', JSON.stringify(sorted({ ...body, http_auth: { ...httpAuth, password } }))].join('\u0000')).digest('hex');
    expect(kept?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect([plainHash('Tr0ub4dor&3'), plainHash('password')]).not.toContain(kept?.fingerprint);
    const again = await post(tenant, 'secret-key', body);
    expect([again.statusCode, again.headers['idempotent-replayed']]).toEqual([201, 'true']);

    // A key kept before fingerprints were keyed (its request's plain hash) still replays its answer.
    const earlier = { ...body, as2_id: 'IDEM-EARLIER' };
    const plainEarlier = createHash('sha256').update(['POST', '/v1/partners', 'test-user', 'tenant_admin', JSON.stringify(sorted(earlier))].join('\u0000')).digest('hex');
    await keys.put({ ...(kept as IdempotencyRecord), _id: `test-account/${tenant}/earlier-key`, fingerprint: plainEarlier });
    const replayed = await post(tenant, 'earlier-key', earlier);
    expect([replayed.statusCode, replayed.headers['idempotent-replayed']]).toEqual([201, 'true']);
    // Kept as the retry has it from then on: no plain hash of it is left, and the next retry still replays.
    expect((await keys.get(`test-account/${tenant}/earlier-key`))?.fingerprint).not.toBe(plainEarlier);
    expect((await post(tenant, 'earlier-key', earlier)).headers['idempotent-replayed']).toBe('true');
    expect((await post(tenant, 'earlier-key', { ...earlier, name: 'Another' })).json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a create the store took but could not confirm (503 "may have been stored"): the retry with the key answers that partner, and its AS2 id stays its own', async () => {
    const tenant = freshTenant();
    const store = t.app.get<EventStore>(EVENT_STORE);
    const writeModel = t.app.get(WriteModel);
    const decide = writeModel.decide.bind(writeModel);
    // The partner's events committed, then their sync failing: what a disk lost under the store answers.
    let unconfirmed = false;
    jest.spyOn(writeModel, 'decide').mockImplementation(async (stream, ...rest) => {
      const decision = await decide(stream, ...rest);
      if (unconfirmed || !stream.startsWith('partner-prt_')) return decision;
      unconfirmed = true;
      throw new EventStoreUnavailableError('the write was committed but could not be synced', true);
    });
    try {
      const first = await post(tenant, 'key-unconfirmed', partnerInput('IDEM-UNCONFIRMED'));
      expect([unconfirmed, first.statusCode, first.json().error.code]).toEqual([true, 503, 'STORE_UNAVAILABLE']);
    } finally {
      jest.restoreAllMocks();
    }
    const retry = await post(tenant, 'key-unconfirmed', partnerInput('IDEM-UNCONFIRMED'));
    expect(retry.statusCode).toBe(201);
    expect(await partnersCreated(tenant)).toBe(1);
    const events = await store.readAll({ after: null, maxCount: 100_000 });
    expect(events.filter((e) => e.metadata.tenant === tenant && e.type.startsWith('partner_directory.')).map((e) => e.type)).toEqual(['partner_directory.as2_id_reserved.v1']);
    // The AS2 id is the stored partner's: another create of it is a duplicate, with a key or without.
    expect((await post(tenant, undefined, partnerInput('IDEM-UNCONFIRMED'))).json().error.code).toBe('DUPLICATE_AS2_ID');
    expect((await post(tenant, 'key-unconfirmed-2', partnerInput('IDEM-UNCONFIRMED'))).json().error.code).toBe('DUPLICATE_AS2_ID');
  });

  it('refuses a malformed key with 400 INVALID_IDEMPOTENCY_KEY', async () => {
    const res = await post(freshTenant(), 'has spaces', partnerInput('IDEM-6'));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ type: 'invalid_request_error', code: 'INVALID_IDEMPOTENCY_KEY' });
    expect((await post(freshTenant(), 'x'.repeat(256), partnerInput('IDEM-6'))).statusCode).toBe(400);
  });

  it('of concurrent duplicates only one runs; the others answer 409 IDEMPOTENCY_KEY_IN_USE or replay it', async () => {
    const tenant = freshTenant();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(tenant, 'key-race', partnerInput('IDEM-RACE'))));
    const fresh = answers.filter((a) => a.statusCode === 201 && a.headers['idempotent-replayed'] === undefined);
    expect(fresh).toHaveLength(1);
    for (const a of answers.filter((x) => x !== fresh[0])) {
      if (a.statusCode === 409) expect(a.json().error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      else expect(a.headers['idempotent-replayed']).toBe('true');
    }
    expect(await partnersCreated(tenant)).toBe(1);
  });

  it('a key is kept for 24 hours, then the request runs again', async () => {
    const tenant = freshTenant();
    expect((await post(tenant, 'key-ttl', partnerInput('IDEM-TTL'))).statusCode).toBe(201);
    now += 23 * HOUR;
    expect((await post(tenant, 'key-ttl', partnerInput('IDEM-TTL'))).headers['idempotent-replayed']).toBe('true');
    now += 2 * HOUR;
    const later = await post(tenant, 'key-ttl', partnerInput('IDEM-TTL'));
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.json().error.code).toBe('DUPLICATE_AS2_ID');
  });

  it('a write stored while its view is late answers 202 with the decided partner, and a retry with the key replays it', async () => {
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const projection = t.app.get(PartnerViewsProjection);
    const tenant = freshTenant();
    try {
      await projection.stop();
      const late = await post(tenant, 'key-late', partnerInput('IDEM-LATE'));
      expect(late.statusCode).toBe(202);
      expect(late.json().data).toMatchObject({ as2_id: 'IDEM-LATE', name: 'Partner IDEM-LATE', type: 'tenant', id: expect.stringMatching(/^prt_/) });
      expect(warned).toHaveBeenCalledWith(expect.stringContaining('Answering before the views'));
      const retry = await post(tenant, 'key-late', partnerInput('IDEM-LATE'));
      expect(retry.statusCode).toBe(202);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json()).toEqual(late.json());
    } finally {
      warned.mockRestore();
      await projection.start();
    }
    // The restarted projection catches up on its own (start does not wait for it): the list shows the partner once it has.
    const listed = async (): Promise<string[]> => {
      const shown = await t.app.inject({ method: 'GET', url: '/v1/partners', headers: { authorization: `Bearer ${t.token({ tenant })}` } });
      return shown.json().data.map((p: { as2_id: string }) => p.as2_id);
    };
    const deadline = Date.now() + 20_000;
    while ((await listed()).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await listed()).toEqual(['IDEM-LATE']);
    expect(await partnersCreated(tenant)).toBe(1);
  });
});

describe('Idempotency-Key replays only to a caller the guards let make the request now', () => {
  let t: EmbeddedTestApp;
  const TENANT_DELETED = { message: expect.any(String), error: { type: 'authorization_error', code: 'TENANT_DELETED' } };
  const FORBIDDEN = { message: expect.any(String), error: { type: 'authorization_error', code: 'FORBIDDEN' } };

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
  });
  afterAll(() => t?.close());

  function send(method: 'POST' | 'DELETE', url: string, claims: Record<string, unknown>, key: string | undefined, payload?: object) {
    const headers: Record<string, string> = { authorization: `Bearer ${t.token(claims)}` };
    if (key !== undefined) headers['idempotency-key'] = key;
    return t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  }

  const station = (name: string) => ({ name, notification_email: 'ops@us.example.com' });

  it("a deleted tenant's token gets 403 TENANT_DELETED, not the station its key created", async () => {
    const accountAdmin = { account: 'idem-del', tenant: null, roles: ['account_admin'] };
    expect((await send('POST', '/v1/accounts/idem-del/tenants', accountAdmin, undefined, { id: 't', name: 'T', plan: 'free' })).statusCode).toBe(201);
    const tenant = { account: 'idem-del', tenant: 't' };
    const created = await send('POST', '/v1/stations', tenant, 'kd-1', station('Doomed'));
    expect(created.statusCode).toBe(201);
    expect((await send('POST', '/v1/stations', tenant, 'kd-1', station('Doomed'))).headers['idempotent-replayed']).toBe('true');

    expect((await send('DELETE', '/v1/accounts/idem-del/tenants/t', accountAdmin, undefined)).statusCode).toBe(200);

    for (const key of [undefined, 'kd-1']) {
      const res = await send('POST', '/v1/stations', tenant, key, station('Doomed'));
      expect([key, res.statusCode, res.json()]).toEqual([key, 403, TENANT_DELETED]);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
    }
  }, 30_000);

  it('the same user with a role the tenant route forbids gets 403 FORBIDDEN, not the replay', async () => {
    const tenant = freshTenant();
    const admin = { sub: 'u1', tenant, roles: ['tenant_admin'] };
    expect((await send('POST', '/v1/stations', admin, 'k9-1', station('Roles'))).statusCode).toBe(201);
    for (const roles of [['gateway'], ['tenant_user']]) {
      for (const key of [undefined, 'k9-1']) {
        const res = await send('POST', '/v1/stations', { ...admin, roles }, key, station('Roles'));
        expect([roles, key, res.statusCode, res.json()]).toEqual([roles, key, 403, FORBIDDEN]);
        expect(res.headers['idempotent-replayed']).toBeUndefined();
      }
    }
    // The same user with other roles the route allows is another caller to the key: a handler may check a role itself.
    const otherRoles = await send('POST', '/v1/stations', { ...admin, roles: ['tenant_admin', 'tenant_user'] }, 'k9-1', station('Roles'));
    expect([otherRoles.statusCode, otherRoles.json().error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    // The allowed caller still gets its replay.
    const replayed = await send('POST', '/v1/stations', admin, 'k9-1', station('Roles'));
    expect(replayed.statusCode).toBe(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
  });

  it('the same user as an operator gets 403 on an account route, not the AS2 instance its key created', async () => {
    const accountAdmin = { sub: 'alice', account: 'idem-acc', tenant: null, roles: ['account_admin'] };
    const url = '/v1/accounts/idem-acc/as2-instances';
    expect((await send('POST', url, accountAdmin, 'ka-1', instanceInput('IDEM-ACC'))).statusCode).toBe(201);
    const operator = await send('POST', url, { ...accountAdmin, roles: ['operator'] }, 'ka-1', instanceInput('IDEM-ACC'));
    expect(operator.statusCode).toBe(403);
    expect(operator.json()).toEqual(FORBIDDEN);
    expect(operator.headers['idempotent-replayed']).toBeUndefined();
    expect((await send('POST', url, accountAdmin, 'ka-1', instanceInput('IDEM-ACC'))).headers['idempotent-replayed']).toBe('true');
  });

  it("an account route's key is the account's, whatever tenant the admin's token names: neither taken from that tenant's keys nor run twice", async () => {
    const withoutTenant = { sub: 'carol', account: 'idem-lvl', tenant: null, roles: ['account_admin'] };
    const withTenant = { ...withoutTenant, tenant: 't1' };
    const url = '/v1/accounts/idem-lvl/as2-instances';
    const first = await send('POST', url, withTenant, 'kl-1', instanceInput('IDEM-LVL'));
    expect(first.statusCode).toBe(201);
    // the same admin's token without a tenant replays it (not a second instance, nor a 409 for its AS2 id)
    const again = await send('POST', url, withoutTenant, 'kl-1', instanceInput('IDEM-LVL'));
    expect([again.statusCode, again.headers['idempotent-replayed'], again.json().data.id]).toEqual([201, 'true', first.json().data.id]);
    // and the tenant named in the token keeps the key for its own writes
    const tenantWrite = await send('POST', '/v1/stations', { sub: 'dave', account: 'idem-lvl', tenant: 't1', roles: ['tenant_admin'] }, 'kl-1', station('Own key'));
    expect([tenantWrite.statusCode, tenantWrite.headers['idempotent-replayed']]).toEqual([201, undefined]);
  });
});

describe('Idempotency-Key across a restart', () => {
  it('replays the first answer from the durable store after the app restarted on the same data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'as2-idem-'));
    const tenant = freshTenant();
    try {
      const first = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
      const headers = { authorization: `Bearer ${first.token({ tenant })}`, 'idempotency-key': 'restart-key' };
      const created = await first.app.inject({ method: 'POST', url: '/v1/partners', headers, payload: partnerInput('IDEM-RESTART') });
      expect(created.statusCode).toBe(201);
      await first.close();
      const second = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir });
      try {
        const again = await second.app.inject({ method: 'POST', url: '/v1/partners', headers: { ...headers, authorization: `Bearer ${second.token({ tenant })}` }, payload: partnerInput('IDEM-RESTART') });
        expect(again.statusCode).toBe(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.json()).toEqual(created.json());
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('Idempotency-Key after a crash (kill -9 between the stored event and the recorded answer)', () => {
  /**
   * Runs a create, then leaves the store as a process killed after its events were stored and before its answer was
   * recorded leaves it (the claim pending), and restarts on the same data: the retries' answers and the events.
   */
  async function crashThenRetry(url: string, payload: object, createdType: string) {
    const dataDir = await mkdtemp(join(tmpdir(), 'as2-idem-crash-'));
    const tenant = freshTenant();
    let now = new Date('2026-11-30T10:00:00.000Z').getTime();
    const clock = () => new Date(now);
    const headers = (app: EmbeddedTestApp) => ({ authorization: `Bearer ${app.token({ tenant })}`, 'idempotency-key': 'crash-key' });
    try {
      const first = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir, now: clock });
      const created = await first.app.inject({ method: 'POST', url, headers: headers(first), payload });
      expect(created.statusCode).toBe(201);
      const keys = first.app.get<ReadModelStore>(READ_MODEL_STORE).collection<IdempotencyRecord>('platform_idempotency_keys');
      const { status: _status, contentType: _contentType, body: _body, ...claim } = (await keys.get(`test-account/${tenant}/crash-key`))!;
      expect(claim.commandId).toEqual(expect.any(String));
      await keys.put({ ...claim, state: 'pending', leaseUntil: new Date(now + IDEMPOTENCY_LEASE_MS).toISOString() });
      await first.close();

      const restarted = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], dataDir, now: clock });
      try {
        const retry = () => restarted.app.inject({ method: 'POST', url, headers: headers(restarted), payload });
        const early = await retry();
        now += IDEMPOTENCY_LEASE_MS + 1;
        const answered = await retry();
        const again = await retry();
        const events = (await restarted.app.get<EventStore>(EVENT_STORE).readAll({ after: null, maxCount: 100_000 })).filter((e) => e.metadata.tenant === tenant);
        const unkeyed = await restarted.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${restarted.token({ tenant })}` }, payload });
        return { created, early, answered, again, unkeyed, createdEvents: events.filter((e) => e.type === createdType), events };
      } finally {
        await restarted.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  it('a partner: the retry waits out the dead claim\'s lease (not a request timeout), then answers the partner the first attempt created', async () => {
    const { created, early, answered, again, unkeyed, createdEvents, events } = await crashThenRetry('/v1/partners', partnerInput('IDEM-CRASH'), 'partner.created.v1');
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(answered.statusCode).toBe(201);
    expect(answered.headers['idempotent-replayed']).toBeUndefined();
    expect(answered.json().data).toEqual(created.json().data);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(answered.json());
    expect(createdEvents).toHaveLength(1);
    expect(events.filter((e) => e.type === 'partner_directory.as2_id_reserved.v1')).toHaveLength(1);
    // Without the key, the same create is still a duplicate.
    expect(unkeyed.json().error.code).toBe('DUPLICATE_AS2_ID');
  }, 90_000);

  it('an AS2 instance: the retry answers the instance the first attempt created, not its own id as a duplicate', async () => {
    const input = { my_as2_id: 'CRASH-ME', my_name: 'Crash Me', my_as2_alias: 'crash-me', my_email: 'as2@crash.example.com' };
    const { created, early, answered, unkeyed, createdEvents } = await crashThenRetry('/v1/as2-instances', input, 'as2_instance.created.v1');
    expect(early.statusCode).toBe(409);
    expect(answered.statusCode).toBe(201);
    expect(answered.json().data).toEqual(created.json().data);
    expect(createdEvents).toHaveLength(1);
    expect(unkeyed.statusCode).toBe(422);
  }, 90_000);
});
