import ipaddr from 'ipaddr.js';

/** A CIDR range an operator lets through although it is not public (`PRIVATE_ENDPOINTS_ALLOW`). */
export type AllowedAddressRange = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Why an endpoint host is refused: a `localhost` name, or an address that is not public unicast. */
export type EndpointHostRefusal = 'localhost_name' | 'non_public_address';

/**
 * Names every resolver answers with a loopback address (RFC 6761 §6.3), and the loopback aliases the common systems'
 * hosts files carry (Debian's `ip6-localhost`, `ip6-loopback`; Red Hat's `localhost.localdomain`, `localhost4`,
 * `localhost6.localdomain6`…), with or without the root dot.
 */
const LOCALHOST_NAME = /^(?:(?:.+\.)?localhost|localhost[46]?\.localdomain[46]?|localhost[46]|ip6-localhost|ip6-loopback)\.?$/i;

const LOOPBACKS = [ipaddr.parse('127.0.0.1'), ipaddr.parse('::1')];

/** Every IPv4 form ipaddr.js reads (decimal, octal, 0x-hex parts and dots) is made of these; IPv6 has a colon. */
const IPV4_FORM_CHARACTERS = /^[0-9a-fx.]+$/i;

/** False for text that cannot be an address in any form ipaddr.js reads: a host name is not parsed (ipaddr.js throws to say no, which is slow). */
function couldBeAddress(text: string): boolean {
  return text.includes(':') || IPV4_FORM_CHARACTERS.test(text);
}

/** A prefix length as written: no sign, no leading zero (`/08` is not `/8` to every reader). */
const PREFIX_LENGTH = /\/(0|[1-9]\d{0,2})$/;

/** The dotted IPv4 part an IPv6 address may end with (`::ffff:10.0.0.1`), four decimal parts. */
const TRAILING_DOTTED_QUAD = /(?:^|:)([^:]*\.[^:]*)$/;

/**
 * A CIDR range in the one form every reader takes the same way: four decimal IPv4 parts without leading zeros, or an
 * IPv6 address without a zone (`%eth0`) whose dotted tail is such an IPv4 address, and a plain prefix length. Octal
 * or hex parts (`010.0.0.1`, `0x0a.0.0.1`) are refused: ipaddr.js reads `010` as 8, other tools as 10.
 */
export function isCanonicalCidr(entry: string): boolean {
  if (!PREFIX_LENGTH.test(entry)) return false;
  if (!entry.includes(':')) return ipaddr.IPv4.isValidCIDRFourPartDecimal(entry);
  if (entry.includes('%') || !ipaddr.IPv6.isValidCIDR(entry)) return false;
  const dotted = TRAILING_DOTTED_QUAD.exec(entry.slice(0, entry.lastIndexOf('/')))?.[1];
  return dotted === undefined || ipaddr.IPv4.isValidFourPartDecimal(dotted);
}

/** An IPv6 entry's dotted IPv4 tail, its four parts (and the prefix length after it, if any). */
const DOTTED_TAIL = /:(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/\d+)?$/;

/**
 * An IPv6 address or range with its dotted IPv4 tail written as its two hexadecimal groups (`::1.2.3.4/128` →
 * `::102:304/128`), what ipaddr.js then reads as written: it reads `::a.b.c.d` as the IPv4-mapped `::ffff:a.b.c.d`, not
 * the IPv4-compatible address RFC 4291 §2.5.5.1 says it is. Any other entry as it is.
 */
export function withHexIpv4Tail(entry: string): string {
  if (!entry.includes(':')) return entry;
  return entry.replace(DOTTED_TAIL, (_match, a: string, b: string, c: string, d: string, bits: string | undefined) => {
    const group = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16);
    return `:${group(a, b)}:${group(c, d)}${bits ?? ''}`;
  });
}

/**
 * Parses a comma-separated list of CIDRs (`10.0.0.0/8, fd00::/8`); empty means none. Throws naming the bad entry.
 * Only canonical forms: an operator who writes `010.0.0.0/8` should not get a range they did not mean.
 */
export function parseAllowedAddressRanges(list: string): AllowedAddressRange[] {
  const ranges: AllowedAddressRange[] = [];
  for (const entry of list.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
    if (!isCanonicalCidr(entry)) throw new Error(`"${entry}" is not a CIDR range (e.g. 10.0.0.0/8 or fd00::/8)`);
    ranges.push(ipaddr.parseCIDR(withHexIpv4Tail(entry)));
  }
  return ranges;
}

function isAllowed(address: ipaddr.IPv4 | ipaddr.IPv6, allowed: readonly AllowedAddressRange[]): boolean {
  const forms = address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? [address, (address as ipaddr.IPv6).toIPv4Address()] : [address];
  return forms.some((form) => allowed.some(([network, bits]) => network.kind() === form.kind() && form.match(network, bits)));
}

/** ::/96 (RFC 4291 §2.5.5.1, deprecated): ipaddr.js calls `::a.b.c.d` unicast, but it carries an IPv4 address. */
function isIpv4Compatible(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0);
}

/**
 * The address range ipaddr.js names for an address (`unicast` is the only public one; `ipv4Compatible` added for
 * ::/96), or null when the text is no IP address in any form ipaddr.js reads (decimal, octal, hex, short IPv4 too).
 */
export function endpointAddressRange(address: string): string | null {
  if (!couldBeAddress(address) || !ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  return isIpv4Compatible(parsed) ? 'ipv4Compatible' : parsed.range();
}

/** The canonical text of an address (`0x7f.1` → `127.0.0.1`): what a socket must be given, never the raw form. */
export function canonicalAddress(address: string): string {
  return ipaddr.parse(address).toString();
}

/**
 * An IP address an outbound connection may go to: public unicast as ipaddr.js classifies it (so no loopback, private,
 * CGNAT, link-local, multicast, reserved, unspecified, IPv4-mapped or -compatible, 6to4, Teredo, NAT64, ULA…), or
 * inside an allowed range. For the address a name resolved to, and for literal hosts.
 */
export function isPermittedEndpointAddress(address: string, allowed: readonly AllowedAddressRange[]): boolean {
  const range = endpointAddressRange(address);
  if (range === null) return false;
  return range === 'unicast' || isAllowed(ipaddr.parse(address), allowed);
}

/**
 * Checks the host of a URL as WHATWG `URL` gives it (`hostname`: IPv4 already normalised from hex/octal/decimal forms,
 * IPv6 in brackets, names lower-cased). Localhost names pass only when loopback is allowed; other names pass here: what
 * they resolve to is for the connecting side to check (with isPermittedEndpointAddress).
 */
export function endpointHostRefusal(hostname: string, allowed: readonly AllowedAddressRange[]): EndpointHostRefusal | null {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (couldBeAddress(host) && ipaddr.isValid(host)) return isPermittedEndpointAddress(host, allowed) ? null : 'non_public_address';
  if (LOCALHOST_NAME.test(host)) return LOOPBACKS.some((loopback) => isAllowed(loopback, allowed)) ? null : 'localhost_name';
  return null;
}
