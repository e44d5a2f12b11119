import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Oid } from '@as2-partners/pki';
import { DEFAULT_TSA_POLICY } from './tsa-policy';
import { TimestampAuthority } from './timestamp-authority';
import { requestTimestamp } from './timestamp-client';
import { TimestampError } from './timestamp-error';
import { decodeTimestampRequest, encodeTimestampRequest } from './timestamp-request';
import { decodeTimestampResponse } from './timestamp-response';
import { verifyTimestampResponse } from './timestamp-verification';
import { createTsaIdentity } from './tsa-identity';
import { RunningTsa, startTsaServer } from './tsa-server';

const identity = createTsaIdentity();
const authority = new TimestampAuthority(identity);
const document = Buffer.from('activation evidence for cert_01J');

/** A stand-in TSA that answers every POST with `reply(requestBody)`, or never answers when it returns undefined. */
async function fakeTsa(reply: (request: Buffer) => Buffer | undefined): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = reply(Buffer.concat(chunks));
      if (body) res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (!(error instanceof TimestampError)) throw error;
    return error.code;
  }
}

describe('requestTimestamp against startTsaServer', () => {
  let tsa: RunningTsa;
  const fakes: Server[] = [];
  beforeAll(async () => {
    tsa = await startTsaServer({ authority });
  });
  afterAll(async () => {
    await tsa.close();
    for (const server of fakes) server.closeAllConnections();
    await Promise.all(fakes.map((server) => new Promise((resolve) => server.close(resolve))));
  });
  const fake = async (reply: (request: Buffer) => Buffer | undefined): Promise<string> => {
    const { url, server } = await fakeTsa(reply);
    fakes.push(server);
    return url;
  };

  it('returns a token for the document that verifies offline against the TSA root', async () => {
    const before = Date.now();
    const result = await requestTimestamp({ url: tsa.url, data: document });
    expect(tsa.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(result.genTime.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(result.policy).toBe(DEFAULT_TSA_POLICY);
    expect(result.tsaCertificatesPem).toEqual([identity.certificatePem, ...identity.chainPem]);
    const verified = verifyTimestampResponse(result.responseDer, { data: document, trustedPem: identity.chainPem });
    expect(verified).toEqual({ genTime: result.genTime, serialNumber: result.serialNumber });
  });

  it('stamps a given SHA-256 digest the same way as the data it is the digest of', async () => {
    const digestHex = createHash('sha256').update(document).digest('hex');
    const result = await requestTimestamp({ url: tsa.url, digestHex });
    expect(verifyTimestampResponse(result.responseDer, { data: document, trustedPem: identity.chainPem }).serialNumber).toBe(result.serialNumber);
    await expect(requestTimestamp({ url: tsa.url, digestHex: 'abcd' })).rejects.toThrow(/64 hex digits/);
  });

  it('answers only POSTs of application/timestamp-query, of at most 64 KiB', async () => {
    expect((await fetch(tsa.url)).status).toBe(405);
    const post = (type: string, body: Buffer) => fetch(tsa.url, { method: 'POST', headers: { 'content-type': type }, body });
    expect((await post('application/json', Buffer.from('{}'))).status).toBe(415);
    expect((await post('application/timestamp-query', Buffer.alloc(65 * 1024))).status).toBe(413);
    const ok = await post('application/timestamp-query; charset=binary', Buffer.from('garbage'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/timestamp-reply');
  });

  it('cuts off a chunked body past 64 KiB that announced no length', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(4096));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('rejects garbage and an md5 imprint with a rejection status, and keeps serving', async () => {
    const post = async (body: Buffer) =>
      decodeTimestampResponse(Buffer.from(await (await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body })).arrayBuffer()));
    expect(await post(Buffer.from('garbage'))).toMatchObject({ status: 2, failureBits: [5] });
    const md5 = encodeTimestampRequest({ hashAlgorithmOid: '1.2.840.113549.2.5', hashedMessage: createHash('md5').update(document).digest() });
    expect(await post(md5)).toMatchObject({ status: 2, failureBits: [0] });
    expect((await requestTimestamp({ url: tsa.url, data: document })).serialNumber).toMatch(/^[0-9a-f]+$/);
  });

  it('raises TSA_REJECTED when the TSA refuses', async () => {
    const url = await fake(() => authority.respond(Buffer.from('not a request')));
    await expect(requestTimestamp({ url, data: document })).rejects.toThrow(/refused the request \(status 2: badDataFormat; not a TimeStampReq/);
    expect(await codeOf(requestTimestamp({ url, data: document }))).toBe('TSA_REJECTED');
  });

  it('raises TSA_UNAVAILABLE for a closed port and for a TSA that does not answer in time', async () => {
    const closed = await startTsaServer({ authority });
    await closed.close();
    expect(await codeOf(requestTimestamp({ url: closed.url, data: document }))).toBe('TSA_UNAVAILABLE');
    const silent = await fake(() => undefined);
    const timeouts = jest.spyOn(AbortSignal, 'timeout');
    try {
      expect(await codeOf(requestTimestamp({ url: silent, data: document, timeoutMs: 300 }))).toBe('TSA_UNAVAILABLE');
      // Given up by the request's own 300 ms signal, not the 10 s default.
      expect(timeouts.mock.calls).toEqual([[300]]);
      expect(timeouts.mock.results[0]?.value).toMatchObject({ aborted: true });
    } finally {
      timeouts.mockRestore();
    }
  });

  it('raises TSA_BAD_RESPONSE when a byte of the token or of its signature changes', async () => {
    const flipLast = await fake((request) => {
      const response = authority.respond(request);
      response[response.length - 1] ^= 0x01;
      return response;
    });
    await expect(requestTimestamp({ url: flipLast, data: document })).rejects.toMatchObject({ code: 'TSA_BAD_RESPONSE', message: expect.stringMatching(/signature is not valid/) });
    const flipTime = await fake((request) => {
      const response = authority.respond(request);
      const year = response.indexOf(Buffer.from(`${new Date().getUTCFullYear()}`), 60);
      response[year + 8] ^= 0x01;
      return response;
    });
    await expect(requestTimestamp({ url: flipTime, data: document })).rejects.toMatchObject({ code: 'TSA_BAD_RESPONSE', message: expect.stringMatching(/messageDigest/) });
    const notDer = await fake(() => Buffer.from('<html>proxy error</html>'));
    expect(await codeOf(requestTimestamp({ url: notDer, data: document }))).toBe('TSA_BAD_RESPONSE');
  });

  it('raises TSA_BAD_RESPONSE for a valid token that answers another nonce (a replay)', async () => {
    const replay = await fake((request) => {
      const { hashAlgorithmOid, hashedMessage } = decodeTimestampRequest(request);
      return authority.respond(encodeTimestampRequest({ hashAlgorithmOid, hashedMessage, nonce: Buffer.from('0badc0de', 'hex'), certReq: true }));
    });
    await expect(requestTimestamp({ url: replay, data: document })).rejects.toMatchObject({ code: 'TSA_BAD_RESPONSE', message: expect.stringMatching(/nonce/) });
  });

  it('raises TSA_BAD_RESPONSE for a valid token of another document', async () => {
    const other = await fake(() =>
      authority.respond(encodeTimestampRequest({ hashAlgorithmOid: Oid.sha256, hashedMessage: createHash('sha256').update('other').digest(), certReq: true })),
    );
    await expect(requestTimestamp({ url: other, data: document })).rejects.toMatchObject({ code: 'TSA_BAD_RESPONSE', message: expect.stringMatching(/not the given document/) });
  });
});
