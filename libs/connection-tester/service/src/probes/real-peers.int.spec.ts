import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { As2Certificate, buildAs2Message, buildMdn, createSelfSignedIdentity, loadKeyPair, parseAs2Envelope, type As2KeyPair, type MdnDisposition, type Mic } from '@as2-partners/as2';
import { createTestIdentity, startTestPartnerProcess, type TestIdentity, type TestPartnerProcess } from '@as2-partners/as2-testing';
import { parseAllowedAddressRanges, systemHostResolver, type HostResolver } from '@as2-partners/platform';
import { runAs2ExchangeTest, type As2ExchangePlan, type As2MessageBuilder } from './as2-exchange-test';
import type { EndpointTarget, ProbeSettings } from './endpoint-probe';
import { runPingTest } from './ping-test';
import { systemSocketFactory } from './socket-factory';

// The tester against real peers on loopback only: the project's test AS2 partner (as a user runs it, over HTTP and
// HTTPS pinned through the TLS slot, with each fault it injects), TLS endpoints with an expired certificate and a
// wrong host name, DNS failure, a refused connection and a slow partner.
jest.setTimeout(180_000);

const run = promisify(execFile);
const names: Record<string, string[]> = { 'partner.test': ['127.0.0.1'] };
const resolver: HostResolver = { resolve: async (host) => names[host] ?? systemHostResolver.resolve(host) };
const settings: ProbeSettings = {
  allowed: parseAllowedAddressRanges('127.0.0.0/8'),
  resolver,
  sockets: systemSocketFactory,
  maxResponseBytes: 1_048_576,
  now: () => new Date(),
};

let dir: string;
let ours: TestIdentity;
let partner: TestIdentity;
let tls: TestIdentity;
let ourKeys: As2KeyPair;
let partnerCertificate: As2Certificate;
const partners: Record<string, TestPartnerProcess> = {};

async function startPartner(name: string, extra: string[] = []): Promise<void> {
  partners[name] = await startTestPartnerProcess([
    '--as2-id', partner.as2Id, '--key', partner.keyFile, '--cert', partner.certFile,
    '--partner-as2-id', ours.as2Id, '--partner-cert', ours.certFile, ...extra,
  ]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'connection-tester-peers-'));
  [ours, partner, tls] = await Promise.all([
    createTestIdentity(dir, 'MYCOMPANY'),
    createTestIdentity(dir, 'TESTPARTNER'),
    createTestIdentity(dir, 'partner-tls', { subjectAltName: 'DNS:partner.test,IP:127.0.0.1' }),
  ]);
  ourKeys = loadKeyPair({ privateKey: ours.keyPem, certificate: ours.certPem });
  partnerCertificate = As2Certificate.from(partner.certPem);
  const https = ['--tls-key', tls.keyFile, '--tls-cert', tls.certFile];
  await Promise.all([
    startPartner('http'),
    startPartner('https', https),
    startPartner('wrongMic', [...https, '--fault', 'wrong-mic']),
    startPartner('mislabelledMic', [...https, '--fault', 'mislabelled-mic']),
    startPartner('unsignedMdn', [...https, '--fault', 'unsigned-mdn']),
    startPartner('http500', [...https, '--fault', 'http-500']),
    startPartner('drop', [...https, '--fault', 'drop']),
    // Slower than any test here runs: the probe's deadline is all that can end its exchange.
    startPartner('slow', [...https, '--fault', 'slow:600000']),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(partners).map((p) => p.stop()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const target = (url: string, pinned: string | null = tls.certPem, timeoutMs = 20_000): EndpointTarget => ({ url: new URL(url), timeoutMs, pinnedTlsCertificate: pinned });

/** Stands in for the keystore's signing port: the key stays in this builder. */
const signingWith = (keyPair: As2KeyPair): As2MessageBuilder => async ({ sign, ...options }) =>
  buildAs2Message({ ...options, ...(sign ? { sign: { keyPair, algorithm: sign.algorithm } } : {}) });

function plan(extra: Partial<As2ExchangePlan> = {}): As2ExchangePlan {
  return {
    testType: 'full',
    testId: 'tst_0123',
    as2From: ours.as2Id,
    as2To: partner.as2Id,
    ourEmail: 'as2@us.example.com',
    sign: { algorithm: 'sha256' },
    build: signingWith(ourKeys),
    encrypt: { certificate: partnerCertificate, algorithm: 'aes-256-cbc' },
    compress: true,
    partnerSignatureCertificates: [partnerCertificate],
    micAlgorithm: 'sha256',
    mdn: { signed: true, micAlgorithm: 'sha256' },
    asyncMdn: null,
    authorization: null,
    now: new Date(),
    ...extra,
  };
}

const steps = (outcome: { timeline: readonly { step: string; status: string }[] }) => outcome.timeline.map((s) => [s.step, s.status]);

describe('against the test AS2 partner', () => {
  it('mdn over HTTP: a minimal unsigned message gets a signed, well-formed MDN naming our message id', async () => {
    const outcome = await runAs2ExchangeTest(target(partners['http']!.url, null), plan({ testType: 'mdn', sign: null, encrypt: null, compress: false }), settings);
    expect(steps(outcome).slice(0, 6)).toEqual([
      ['DNS resolution', 'success'],
      ['TCP connection', 'success'],
      ['AS2 message sent', 'success'],
      ['MDN received', 'success'],
      ['MDN format', 'success'],
      ['MDN signature', 'success'],
    ]);
    expect(outcome.timeline[5]!.details).toContain('TESTPARTNER');
    expect(outcome.results).toMatchObject({ connectivity: 'success', as2_protocol: 'success', certificate_validation: 'success' });
  });

  it('full over HTTPS pinned through the TLS slot: signed, encrypted, compressed, the MIC matches', async () => {
    const outcome = await runAs2ExchangeTest(target(partners['https']!.url), plan(), settings);
    expect(steps(outcome)).toEqual([
      ['DNS resolution', 'success'],
      ['TCP connection', 'success'],
      ['SSL handshake', 'warning'],
      ['Certificate validation', 'success'],
      ['AS2 message sent', 'success'],
      ['MDN received', 'success'],
      ['MDN format', 'success'],
      ['MDN signature', 'success'],
      ['MDN disposition', 'success'],
      ['MIC verification', 'success'],
    ]);
    expect(outcome.results).toMatchObject({ ssl_validation: 'success', as2_protocol: 'success', mic_match: true, mdn_disposition: 'processed' });
    // The partner logs the message it delivered to its back end (its line may follow the response by a moment).
    const messageId = String(outcome.results['message_id']).slice(1, -1);
    for (let waited = 0; waited < 5_000 && !JSON.stringify(partners['https']!.lines).includes(messageId); waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(partners['https']!.lines.find((line) => JSON.stringify(line).includes(messageId))).toMatchObject({ event: 'as2-message' });
  });

  it.each([
    ['wrongMic', 'MIC verification', /^MIC mismatch: expected \S+ \(sha256\) got \S+/],
    // Our sha256 value labelled sha1: compared with ours in sha1, and both named so (never two equal values side by side).
    ['mislabelledMic', 'MIC verification', /^MIC mismatch: expected (\S+) \(sha1\) got (?!\1 )\S+ \(sha-?1\)$/],
    ['unsignedMdn', 'MDN signature', /unsigned/],
    ['http500', 'AS2 message sent', /^HTTP 500/],
    ['drop', 'AS2 message sent', /closed the connection/],
  ])('fault %s fails the step %s', async (fault, step, details) => {
    const outcome = await runAs2ExchangeTest(target(partners[fault]!.url), plan(), settings);
    const failed = outcome.timeline.filter((s) => s.status === 'failure');
    expect(failed).toEqual([expect.objectContaining({ step, details: expect.stringMatching(details) })]);
    expect(outcome.results['as2_protocol']).toBe('failed');
  });

  it("an unsigned MDN from a partner whose settings say its MDNs are unsigned is a warning, not a failure; the signed MDN asked for uses the partner's MDN algorithm", async () => {
    const asked: unknown[] = [];
    const recording: As2MessageBuilder = async (options) => {
      asked.push(options.mdn);
      return signingWith(ourKeys)(options);
    };
    const outcome = await runAs2ExchangeTest(target(partners['unsignedMdn']!.url), plan({ build: recording, mdn: { signed: false, micAlgorithm: 'sha512' } }), settings);
    expect(asked).toEqual([{ returnAddress: 'as2@us.example.com', signed: { micAlgorithms: ['sha512'] } }]);
    expect(outcome.timeline.filter((s) => s.status === 'failure')).toEqual([]);
    expect(outcome.timeline.find((s) => s.step === 'MDN signature')).toMatchObject({ status: 'warning', details: expect.stringContaining('mdn.signed false') });
    expect(outcome.results).toMatchObject({ as2_protocol: 'success', certificate_validation: 'not_tested', mdn_disposition: 'processed' });
    // A signed MDN is still verified whatever the settings say: the partner that signs passes, as with them.
    const signed = await runAs2ExchangeTest(target(partners['https']!.url), plan({ mdn: { signed: false, micAlgorithm: 'sha256' } }), settings);
    expect(signed.results).toMatchObject({ as2_protocol: 'success', certificate_validation: 'success', mic_match: true });
  });

  it('a signature the partner does not trust comes back as authentication-failed', async () => {
    const stranger = createSelfSignedIdentity({ commonName: 'STRANGER' });
    const outcome = await runAs2ExchangeTest(target(partners['https']!.url), plan({ build: signingWith(stranger.keyPair) }), settings);
    expect(outcome.timeline.find((s) => s.status === 'failure')).toMatchObject({ step: 'MDN disposition', details: expect.stringContaining('authentication-failed') });
  });

  it('encryption to a certificate that is not the partner’s comes back as decryption-failed', async () => {
    const wrong = createSelfSignedIdentity({ commonName: 'NOT THE PARTNER' });
    const outcome = await runAs2ExchangeTest(target(partners['https']!.url), plan({ encrypt: { certificate: wrong.keyPair.certificate, algorithm: 'aes-256-cbc' } }), settings);
    expect(outcome.timeline.find((s) => s.status === 'failure')).toMatchObject({ step: 'MDN disposition', details: expect.stringContaining('decryption-failed') });
  });

  it('gives up on a slow partner at the exchange\'s one deadline, the time spent connecting included', async () => {
    // The deadline's clock is fake (Date and the probe's timers) and moves only when told; the sockets are real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    const sent = jest.spyOn(http, 'request');
    try {
      // Connecting takes a second of the 2 s the exchange has.
      const slowToConnect: ProbeSettings = {
        ...settings,
        sockets: {
          connect: (address, port) => {
            jest.advanceTimersByTime(1_000);
            return systemSocketFactory.connect(address, port);
          },
        },
      };
      let outcome: Awaited<ReturnType<typeof runAs2ExchangeTest>> | undefined;
      void runAs2ExchangeTest(target(partners['slow']!.url, tls.certPem, 2_000), plan(), slowToConnect).then((done) => (outcome = done));
      while (sent.mock.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
      await jest.advanceTimersByTimeAsync(999);
      expect(outcome).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(outcome?.timeline.find((s) => s.status === 'failure')).toMatchObject({ step: 'AS2 message sent', details: 'No answer within 2 seconds' });
    } finally {
      sent.mockRestore();
      jest.useRealTimers();
    }
  });

  it('ping over HTTPS without the pin: the self-signed endpoint is an untrusted TLS certificate', async () => {
    const outcome = await runPingTest(target(partners['https']!.url, null), settings);
    expect(outcome.timeline.at(-1)).toMatchObject({ step: 'Certificate validation', status: 'failure', details: expect.stringMatching(/^Untrusted TLS certificate/) });
  });
});

describe('a peer that signs its MDN when no signature certificate is on file for it', () => {
  // It answers every message with an MDN it signs with a key nobody knows: what the MDN says still decides the test.
  const serveMdn = async (disposition: MdnDisposition, mic?: (sent: Mic) => Mic, answering?: string) => {
    const stranger = createSelfSignedIdentity({ commonName: 'UNKNOWN SIGNER' });
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const envelope = parseAs2Envelope(answering ? { ...req.headers, 'message-id': answering } : req.headers);
        const ours = { value: 'A'.repeat(44), algorithm: 'sha256' as const };
        const mdn = buildMdn({ envelope, disposition, ...(mic ? { mic: mic(ours) } : {}), signer: stranger.keyPair, sign: 'always' });
        res.writeHead(200, mdn.headers).end(mdn.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`, close: () => new Promise((resolve) => server.close(resolve)) };
  };
  const unverified = () => plan({ partnerSignatureCertificates: [], mdn: { signed: false, micAlgorithm: 'sha256' } });

  it.each([
    ['an error disposition', { type: 'processed/error', error: 'decryption-failed' } as MdnDisposition, undefined, undefined, 'MDN disposition', /decryption-failed/],
    ['a MIC that is not ours', { type: 'processed' } as MdnDisposition, (wrong: Mic) => wrong, undefined, 'MIC verification', /^MIC mismatch: expected \S+ \(sha256\) got AAAA/],
    ["another message's id", { type: 'processed' } as MdnDisposition, undefined, '<someone-else@x>', 'MDN format', /answers message <someone-else@x>/],
  ])('%s fails the test (the signature read unverified, a warning)', async (_case, disposition, mic, answering, step, details) => {
    const peer = await serveMdn(disposition, mic, answering);
    try {
      const outcome = await runAs2ExchangeTest(target(peer.url, null), unverified(), settings);
      expect(outcome.timeline.filter((s) => s.status === 'failure')).toEqual([expect.objectContaining({ step, details: expect.stringMatching(details) })]);
      expect(outcome.results['as2_protocol']).toBe('failed');
      if (step !== 'MDN format') expect(outcome.timeline.find((s) => s.step === 'MDN signature')).toMatchObject({ status: 'warning', details: expect.stringContaining('no signature certificate is on file') });
    } finally {
      await peer.close();
    }
  });
});

describe('TLS endpoints that must fail', () => {
  const servers: HttpsServer[] = [];
  const serve = async (key: string, cert: string): Promise<number> => {
    const server = createHttpsServer({ key, cert }, (_req, res) => res.writeHead(405).end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  afterAll(async () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

  it('an expired certificate fails validation even when pinned', async () => {
    const expired = createSelfSignedIdentity({ commonName: 'partner.test', validFrom: new Date(Date.now() - 10 * 86_400_000), validDays: 2 });
    const port = await serve(expired.privateKeyPem, expired.certificatePem);
    const outcome = await runPingTest(target(`https://partner.test:${port}/as2`, expired.certificatePem), settings);
    expect(steps(outcome).slice(2)).toEqual([['SSL handshake', 'warning'], ['Certificate validation', 'failure']]);
    expect(outcome.timeline[3]!.details).toMatch(/^Untrusted TLS certificate: it expired on /);
  });

  it('a certificate for another host name fails validation, though issued by the pinned CA', async () => {
    const ext = join(dir, 'leaf.ext');
    await writeFile(ext, 'subjectAltName=DNS:other.test\n');
    const ca = (name: string) => join(dir, name);
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Pinned CA', '-keyout', ca('ca.key'), '-out', ca('ca.crt')]);
    await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=other.test', '-keyout', ca('leaf.key'), '-out', ca('leaf.csr')]);
    await run('openssl', ['x509', '-req', '-in', ca('leaf.csr'), '-CA', ca('ca.crt'), '-CAkey', ca('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', ca('leaf.crt')]);
    const [leafKey, leafCert, caCert] = await Promise.all([readFile(ca('leaf.key'), 'utf8'), readFile(ca('leaf.crt'), 'utf8'), readFile(ca('ca.crt'), 'utf8')]);
    const port = await serve(leafKey, leafCert);
    const outcome = await runPingTest(target(`https://partner.test:${port}/as2`, caCert), settings);
    expect(outcome.timeline[3]).toMatchObject({ step: 'Certificate validation', status: 'failure', details: expect.stringMatching(/^Host name mismatch: .* not valid for partner\.test$/) });
  });

  it('DNS failure and a refused connection are failing steps', async () => {
    const dns = await runPingTest(target('https://no-such-host.invalid/as2'), settings);
    expect(dns.timeline).toEqual([expect.objectContaining({ step: 'DNS resolution', status: 'failure', details: expect.stringMatching(/^Could not resolve no-such-host\.invalid \(E[A-Z]+\)$/) })]);
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await runPingTest(target(`https://127.0.0.1:${port}/as2`), settings);
    expect(refused.timeline[1]).toEqual(expect.objectContaining({ step: 'TCP connection', status: 'failure', details: `Connection refused by 127.0.0.1:${port}` }));
  });
});

describe('SSRF: listening on the refused loopback addresses, nothing arrives', () => {
  const listeners: { address: string; server: TcpServer; connections: number; port: number }[] = [];

  beforeAll(async () => {
    for (const address of ['127.0.0.1', '127.0.0.2', '127.1.2.3', '::1']) {
      const server = createTcpServer();
      const entry = { address, server, connections: 0, port: 0 };
      server.on('connection', (socket) => {
        entry.connections++;
        socket.destroy();
      });
      const bound = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(0, address, () => resolve(true));
      });
      if (!bound) continue;
      entry.port = (server.address() as AddressInfo).port;
      listeners.push(entry);
    }
  });

  afterAll(async () => Promise.all(listeners.map((l) => new Promise((resolve) => l.server.close(resolve)))));

  it('refuses every spelling of them, literal or resolved, with the real sockets and no allow-list', async () => {
    expect(listeners.length).toBeGreaterThanOrEqual(3);
    const strict: ProbeSettings = { ...settings, allowed: [] };
    for (const { address, port } of listeners) {
      const host = address.includes(':') ? `[${address}]` : address;
      const forms = address === '127.0.0.1' ? [host, '2130706433', '0x7f.1', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]'] : [host];
      names['loop.test'] = [address];
      names['both.test'] = ['93.184.216.34', address];
      for (const form of [...forms, 'loop.test', 'both.test', 'localhost']) {
        const outcome = await runPingTest(target(`https://${form}:${port}/as2`), strict);
        expect([form, outcome.timeline]).toEqual([form, [expect.objectContaining({ step: 'Destination not allowed', status: 'failure' })]]);
      }
    }
    expect(listeners.map((l) => [l.address, l.connections])).toEqual(listeners.map((l) => [l.address, 0]));
  });
});
