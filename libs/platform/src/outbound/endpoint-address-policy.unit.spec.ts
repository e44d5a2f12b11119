import { endpointAddressRange, endpointHostRefusal, isPermittedEndpointAddress, parseAllowedAddressRanges } from './endpoint-address-policy';

const hostOf = (url: string) => new URL(url).hostname;

describe('endpoint address policy', () => {
  describe('refuses non-public literal addresses, whatever form the URL spells them in', () => {
    it.each([
      'https://127.0.0.1:22/',
      'https://127.255.255.254/',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/',
      'https://[0:0:0:0:0:0:0:1]/',
      'https://[::]/',
      'https://0.0.0.0/',
      'https://0/',
      'https://10.1.2.3/',
      'https://172.16.0.1/',
      'https://192.168.1.1/',
      'https://100.64.0.1/',
      'https://224.0.0.1/',
      'https://255.255.255.255/',
      'https://240.0.0.1/',
      'https://192.0.2.10/',
      'https://198.18.0.1/',
      'https://[fc00::1]/',
      'https://[fd12:3456::1]/',
      'https://[fe80::1]/',
      'https://[ff02::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:7f00:1]/',
      'https://[::ffff:8.8.8.8]/',
      'https://[2002:7f00:1::]/',
      'https://[::7f00:1]/',
      'https://[::a00:1]/',
      'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
      'https://[64:ff9b::7f00:1]/',
      'https://[2001:db8::1]/',
      'https://0x7f.1/',
      'https://0x7f000001/',
      'https://2130706433/',
      'https://0177.0.0.1/',
      'https://127.1/',
      'https://127.0.0.1./',
      'https://0xa9.0xfe.0xa9.0xfe/',
    ])('%s', (url) => expect(endpointHostRefusal(hostOf(url), [])).toBe('non_public_address'));
  });

  describe('reads every raw form ipaddr.js reads as an address (names are not parsed at all)', () => {
    it.each(['0x7F.1', '0XA9.0xFE.0xa9.0xfe', '017700000001', '0x7f000001', '127.1', 'fe80::1%eth0', '::FFFF:127.0.0.1'])('%s is an address, not public', (address) => {
      expect(endpointAddressRange(address)).not.toBeNull();
      expect(isPermittedEndpointAddress(address, [])).toBe(false);
    });
    it.each(['acme.example.com', 'cafe.bad', 'a-b.c', 'x', ''])('%s is no address', (name) => expect(endpointAddressRange(name)).toBeNull());
  });

  describe('refuses localhost names', () => {
    it.each([
      'https://localhost/',
      'https://LOCALHOST./',
      'https://localhost.:8443/as2',
      'https://api.localhost/',
      'https://a.b.localhost./',
      'https://%6c%6fcalhost/',
      // the loopback aliases of common hosts files
      'https://localhost.localdomain/',
      'https://Localhost.LocalDomain./',
      'https://localhost4/',
      'https://localhost6.localdomain6/',
      'https://ip6-localhost/',
      'https://ip6-loopback:8443/as2',
    ])(
      '%s',
      (url) => expect(endpointHostRefusal(hostOf(url), [])).toBe('localhost_name'),
    );
  });

  describe('lets public addresses and other names through', () => {
    it.each(['https://8.8.8.8/', 'https://[2606:4700::1111]/', 'https://acme.example.com/as2', 'https://localhost.example.com/', 'https://mylocalhost/', 'https://100.128.0.1/', 'https://localhost.localdomain.example.com/', 'https://my-ip6-localhost/'])(
      '%s',
      (url) => expect(endpointHostRefusal(hostOf(url), [])).toBeNull(),
    );
  });

  describe('PRIVATE_ENDPOINTS_ALLOW ranges', () => {
    // `::a.b.c.d` is the IPv4-compatible address (RFC 4291 §2.5.5.1), not the IPv4-mapped one the parser alone reads.
    expect(parseAllowedAddressRanges('::1.2.3.4/128, ::ffff:1.2.3.4/128, 1.2.3.4/32').map(([address, bits]) => `${address.toString()}/${bits}`)).toEqual(['::102:304/128', '::ffff:102:304/128', '1.2.3.4/32']);
    const allowed = parseAllowedAddressRanges(' 10.20.0.0/16 , fd00:1::/32,127.0.0.0/8');

    it('lets addresses inside an allowed range through, and only those', () => {
      expect(endpointHostRefusal(hostOf('https://10.20.3.4/'), allowed)).toBeNull();
      expect(endpointHostRefusal(hostOf('https://[fd00:1::5]/'), allowed)).toBeNull();
      expect(endpointHostRefusal(hostOf('https://[::ffff:10.20.3.4]/'), allowed)).toBeNull();
      expect(endpointHostRefusal(hostOf('https://10.21.0.1/'), allowed)).toBe('non_public_address');
      expect(endpointHostRefusal(hostOf('https://[fd00:2::5]/'), allowed)).toBe('non_public_address');
      expect(endpointHostRefusal(hostOf('https://169.254.169.254/'), allowed)).toBe('non_public_address');
    });

    it('lets localhost names through only when loopback is allowed', () => {
      expect(endpointHostRefusal('localhost', allowed)).toBeNull();
      expect(endpointHostRefusal('localhost', parseAllowedAddressRanges('10.0.0.0/8'))).toBe('localhost_name');
    });

    it('checks resolved addresses the same way', () => {
      expect(isPermittedEndpointAddress('93.184.216.34', [])).toBe(true);
      expect(isPermittedEndpointAddress('10.20.0.1', allowed)).toBe(true);
      expect(isPermittedEndpointAddress('192.168.0.1', allowed)).toBe(false);
      expect(isPermittedEndpointAddress('not-an-address', allowed)).toBe(false);
    });

    it('takes IPv6 with a dotted IPv4 tail in its canonical form', () => {
      expect(parseAllowedAddressRanges('::ffff:10.0.0.0/104').map(([network, bits]) => `${network.toString()}/${bits}`)).toEqual(['::ffff:a00:0/104']);
    });

    it('is empty for an empty list', () => {
      expect(parseAllowedAddressRanges('')).toEqual([]);
      expect(parseAllowedAddressRanges(' , ')).toEqual([]);
    });

    it.each(['10.0.0.0', '10.0.0.0/33', '010.0.0.0/8', '0x0a.0.0.0/8', 'example.com/24', 'fd00::/129', '10.0.0.0/8/8', '10.0.0.0/08', 'fe80::1%eth0/64', '::ffff:010.0.0.1/128', '127.1/8'])('refuses %p, naming it', (entry) =>
      expect(() => parseAllowedAddressRanges(`192.168.0.0/16,${entry}`)).toThrow(`"${entry}" is not a CIDR range`),
    );
  });
});
