import { randomUUID } from 'node:crypto';
import { buildAs2Message, buildMdn, createSelfSignedIdentity, parseAs2Envelope } from '@as2-partners/as2';
import { AsyncMdnReceipts } from '@as2-partners/connection-tester-service';
import { describeWithServer } from '@as2-partners/kernel-testing';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';

jest.setTimeout(120_000);

function withDatabase(url: string, db: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

// Two replicas' receipts over one MongoDB database, each with its own connection: what k8s runs behind one Service.
describeWithServer('MONGO_URL', 'async MDN receipts shared through MongoDB', (mongoUrl) => {
  const url = withDatabase(mongoUrl, `as2_ct_receipts_${randomUUID().replace(/-/g, '').slice(0, 12)}`);
  const clock = { now: () => new Date() };
  let podA: MongoReadModelStore;
  let podB: MongoReadModelStore;
  const partner = createSelfSignedIdentity({ commonName: 'Partner' });

  beforeAll(async () => {
    [podA, podB] = await Promise.all([MongoReadModelStore.connect(url), MongoReadModelStore.connect(url)]);
  });
  afterAll(async () => {
    await Promise.all([podA?.close(), podB?.close()]);
  });

  const mdnFor = (headers: Record<string, string>) => {
    const mdn = buildMdn({ envelope: parseAs2Envelope(headers), disposition: { type: 'processed' }, signer: partner.keyPair });
    return { headers: mdn.headers as Record<string, string>, body: mdn.body };
  };

  it('a receipt on pod B completes the test waiting on pod A, once; the wrong partner, a second MDN and one after the test are refused', async () => {
    const a = new AsyncMdnReceipts(podA, clock);
    const b = new AsyncMdnReceipts(podB, clock);
    const message = buildAs2Message({ payload: Buffer.from('test'), as2From: 'US', as2To: 'PARTNER', mdn: { asyncUrl: 'https://us.example/mdn' } });
    await a.expect(message.messageId, { account: 'acme', tenant: 't1', testId: 'tst_1', partnerAs2Id: 'PARTNER', ourAs2Id: 'US' }, 60_000);
    const waiting = a.wait(message.messageId, 60_000);

    const intruder = buildAs2Message({ payload: Buffer.from('x'), as2From: 'US', as2To: 'INTRUDER', mdn: { asyncUrl: 'https://us.example/mdn' } });
    expect(await b.receive(mdnFor({ ...intruder.headers, 'Message-ID': message.messageId }))).toBe('not-expected');
    const genuine = mdnFor(message.headers);
    expect(await b.receive(genuine)).toBe('accepted');
    expect(await b.receive(mdnFor(message.headers))).toBe('not-expected');
    expect((await waiting)?.body.equals(genuine.body)).toBe(true);
    expect(await b.receive(mdnFor(message.headers))).toBe('not-expected');
    expect(await b.receive({ headers: { 'content-type': 'text/plain' }, body: Buffer.from('hello') })).toBe('not-an-mdn');
  });
});
