import { parseAllowedAddressRanges, type HostResolver } from '@as2-partners/platform';
import { runPingTest } from './ping-test';
import type { ProbeSettings } from './endpoint-probe';
import type { SocketFactory } from './socket-factory';

/** Fails the test if anything tries to open a connection: a refused destination must never reach a socket. */
const noSocket: SocketFactory = {
  connect: (address, port) => {
    throw new Error(`a connection to ${address}:${port} was attempted`);
  },
};

const resolverTo = (...addresses: string[]): HostResolver => ({ resolve: async () => addresses });

function settings(resolver: HostResolver, allow = ''): ProbeSettings & { refused: string[] } {
  const refused: string[] = [];
  return { allowed: parseAllowedAddressRanges(allow), resolver, sockets: noSocket, maxResponseBytes: 1024, now: () => new Date(), onRefused: (_h, range) => refused.push(range), refused };
}

const target = (url: string) => ({ url: new URL(url), timeoutMs: 2_000, pinnedTlsCertificate: null });

const REFUSAL = [
  {
    step: 'Destination not allowed',
    status: 'failure',
    durationMs: expect.any(Number),
    details: expect.stringContaining('Refused by the outbound address policy: only public unicast addresses may be contacted'),
  },
];

describe('SSRF: refused destinations never reach a socket, and all get the same answer', () => {
  // Literal hosts in every spelling WHATWG URL accepts (it normalises decimal, octal, hex and short IPv4).
  it.each([
    'http://127.0.0.1/as2',
    'http://127.0.0.53:8080/',
    'http://2130706433/',
    'http://017700000001/',
    'http://0x7f.1/',
    'http://0x7f000001/',
    'http://127.1/',
    'http://0177.0.0.1/',
    'https://10.0.0.1/',
    'https://172.16.0.1/',
    'https://192.168.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    'http://0.0.0.0/',
    'http://0/',
    'http://255.255.255.255/',
    'http://192.0.2.1/',
    'http://198.51.100.7/',
    'http://203.0.113.9/',
    'http://198.18.0.1/',
    'http://240.0.0.1/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[::127.0.0.1]/',
    'http://[::7f00:1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:7f00:1::]/',
    'http://[2002:a9fe:a9fe::]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
    'http://[fd00:ec2::254]/',
    'http://[fc00::1]/',
    'http://[fe80::1]/',
    'http://[ff02::1]/',
    'http://[2001:db8::1]/',
    'http://[100::1]/',
    'http://localhost/',
    'http://api.localhost./',
  ])('literal %s', async (url) => {
    const run = settings(resolverTo('8.8.8.8'));
    const outcome = await runPingTest(target(url), run);
    expect(outcome.timeline).toEqual(REFUSAL);
    expect(outcome.results).toEqual({ connectivity: 'failed', ...(url.startsWith('https') ? { ssl_validation: 'not_tested' } : {}), error: 'Destination not allowed' });
    expect(run.refused).toHaveLength(1);
  });

  // A name whose resolver answers any of these: the check is on the addresses, and one bad address refuses them all.
  it.each([
    ['127.0.0.1'],
    ['127.0.0.1', '93.184.216.34'],
    ['93.184.216.34', '10.1.2.3'],
    ['::1'],
    ['169.254.169.254'],
    ['fd00:ec2::254'],
    ['::ffff:127.0.0.1'],
    ['::ffff:10.0.0.1'],
    ['::7f00:1'],
    ['64:ff9b::a00:1'],
    ['2002:c0a8:1::1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['100.100.100.200'],
    ['fe80::1%eth0'],
    ['0x7f.1'],
    ['2130706433'],
    ['not-an-address'],
  ])('partner.example resolving to %s', async (...addresses) => {
    const run = settings(resolverTo(...addresses));
    const outcome = await runPingTest(target('https://partner.example/as2'), run);
    expect(outcome.timeline).toEqual(REFUSAL);
  });

  it('gives a loopback-bound name and a private one the very same answer (the tester cannot map a network)', async () => {
    const a = await runPingTest(target('https://a.example/'), settings(resolverTo('127.0.0.1')));
    const b = await runPingTest(target('https://b.example/'), settings(resolverTo('10.20.30.40')));
    expect(a.timeline[0].details).toBe(b.timeline[0].details);
    expect(a.results).toEqual(b.results);
  });

  it('lets an allowed range through only to its own addresses (PRIVATE_ENDPOINTS_ALLOW), still refusing the others', async () => {
    const connects: string[] = [];
    const recording: SocketFactory = {
      connect: (address, port) => {
        connects.push(`${address}:${port}`);
        throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      },
    };
    const outcome = await runPingTest(target('http://onprem.example/'), { ...settings(resolverTo('10.20.0.5'), '10.20.0.0/16'), sockets: recording });
    expect(outcome.timeline.map((s) => [s.step, s.status])).toEqual([['DNS resolution', 'success'], ['TCP connection', 'failure']]);
    expect(connects).toEqual(['10.20.0.5:80']);
    const still = await runPingTest(target('http://onprem.example/'), settings(resolverTo('10.21.0.5'), '10.20.0.0/16'));
    expect(still.timeline).toEqual(REFUSAL);
  });
});
