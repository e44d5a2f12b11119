import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform';
import { PartnerRegistryModule } from '../partner-registry.module';

describe('smoke', () => {
  let t: EmbeddedTestApp;
  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
  });
  afterAll(() => t?.close());
  it('creates and lists', async () => {
    const auth = { authorization: `Bearer ${t.token()}` };
    const res = await t.app.inject({ method: 'POST', url: '/v1/partners', headers: auth, payload: { name: 'Acme', as2_id: 'ACME', url: 'https://acme.example.com/as2' } });
    console.log(res.statusCode, res.body);
    const list = await t.app.inject({ method: 'GET', url: '/v1/partners', headers: auth });
    console.log(list.statusCode, list.body);
    const bad = await t.app.inject({ method: 'POST', url: '/v1/partners', headers: auth, payload: { as2_id: 'AC ME', url: 'http://x', sign_algorithm: 'MD5' } });
    console.log(bad.statusCode, bad.body);
  });
});
