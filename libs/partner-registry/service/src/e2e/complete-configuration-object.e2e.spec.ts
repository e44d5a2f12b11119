import { partnerApiFixture } from './partner-api.spec-support';

/** Seed 002's "Complete Configuration Object": the security settings and the MDN mode grouped, the statistics named its way. */
const completeConfiguration = (as2Id: string) => ({
  name: 'Acme Corporation',
  as2_id: as2Id,
  url: 'https://acme.example.com/as2',
  active: true,
  security: { sign: true, encrypt: true, compress: false, sign_algorithm: 'SHA256withRSA', encrypt_algorithm: 'AES256_CBC' },
  mdn: { mode: 'async', url: 'https://acme.example.com/as2/mdn', signed: true, algorithm: 'SHA256withRSA' },
  connection: { timeout_seconds: 60, retry_attempts: 3, retry_interval_seconds: 300 },
});

describe("seed 002's complete configuration object (security, mdn.mode, statistics) beside the flat fields", () => {
  const ctx = partnerApiFixture('complete-config-account');

  it('creates a partner from it and answers both shapes: the flat fields and the grouped ones agree', async () => {
    const created = await ctx.api.post('/v1/partners', completeConfiguration('COMPLETE-CONFIG'));
    expect(created.status).toBe(201);
    const security = { sign: true, encrypt: true, compress: false, sign_algorithm: 'SHA256withRSA', encrypt_algorithm: 'AES256_CBC' };
    expect(created.body.data).toMatchObject({ ...security, mdn_mode: 'async', security, mdn: { mode: 'async', url: 'https://acme.example.com/as2/mdn', signed: true, algorithm: 'SHA256withRSA' } });
    const details = (await ctx.api.get(`/v1/partners/${created.body.data.id}`)).body.data;
    expect(details).toMatchObject({ ...security, security, mdn_mode: 'async', mdn: { mode: 'async' } });
    expect(details.statistics).toEqual({ messages_sent: 0, messages_received: 0, success_rate: null, last_activity: null });
    const listed = (await ctx.api.get('/v1/partners?search=COMPLETE-CONFIG')).body.data[0];
    expect(listed).toMatchObject({ security, mdn: { mode: 'async' } });
  });

  it('a patch may name a setting either way; the other name answers the change', async () => {
    const id = (await ctx.api.post('/v1/partners', completeConfiguration('COMPLETE-PATCH'))).body.data.id;
    const grouped = await ctx.api.patch(`/v1/partners/${id}`, { security: { sign: false, encrypt_algorithm: 'AES128_CBC' }, mdn: { mode: 'sync' } });
    expect(grouped.status).toBe(200);
    expect(grouped.body.data).toMatchObject({ sign: false, encrypt: true, encrypt_algorithm: 'AES128_CBC', mdn_mode: 'sync', security: { sign: false, encrypt: true, encrypt_algorithm: 'AES128_CBC' } });
    // mdn.mode alone changed the mode and left the MDN's own settings as they were.
    expect(grouped.body.data.mdn).toEqual({ mode: 'sync', url: 'https://acme.example.com/as2/mdn', signed: true, algorithm: 'SHA256withRSA' });
    const flat = await ctx.api.patch(`/v1/partners/${id}`, { sign: true, mdn_mode: 'async' });
    expect(flat.body.data).toMatchObject({ security: { sign: true }, mdn: { mode: 'async' } });
  });

  it('refuses the two names of one setting with different values (422 naming it), takes them when they agree, and checks the grouped values as the flat ones', async () => {
    const clash = await ctx.api.post('/v1/partners', { ...completeConfiguration('COMPLETE-CLASH'), sign: false });
    expect([clash.status, Object.keys(clash.body.errors ?? {})]).toEqual([422, ['sign']]);
    const modeClash = await ctx.api.post('/v1/partners', { ...completeConfiguration('COMPLETE-MODE'), mdn_mode: 'sync' });
    expect([modeClash.status, Object.keys(modeClash.body.errors ?? {})]).toEqual([422, ['mdn_mode']]);
    expect((await ctx.api.post('/v1/partners', { ...completeConfiguration('COMPLETE-SAME'), sign: true, mdn_mode: 'async' })).status).toBe(201);
    const bad = await ctx.api.post('/v1/partners', { ...completeConfiguration('COMPLETE-BAD'), security: { sign_algorithm: 'MD5withRSA', compress: 'yes' }, mdn: { mode: 'sometimes' } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['mdn.mode', 'security.compress', 'security.sign_algorithm']);
    expect((await ctx.api.get('/v1/partners?search=COMPLETE-')).body.data.map((p: { as2_id: string }) => p.as2_id)).toEqual(['COMPLETE-SAME']);
  });
});
