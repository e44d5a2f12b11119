import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  canonicalAddress,
  endpointAddressRange,
  endpointHostRefusal,
  isPermittedEndpointAddress,
  type AllowedAddressRange,
} from './endpoint-address-policy';

/** Turns a host name into every address it has (A and AAAA); throws with a `code` (ENOTFOUND…) when it has none. */
export interface HostResolver {
  resolve(host: string): Promise<readonly string[]>;
}

/** The operating system's resolver, every address (`dns.lookup({ all: true })`: what a socket would have used). */
export const systemHostResolver: HostResolver = {
  async resolve(host) {
    return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  },
};

/** A destination every address of which the policy allows: connect to one of `addresses`, never to `host` again. */
export interface PermittedDestination {
  readonly kind: 'permitted';
  /** The URL's host as written (a name, or a canonical literal address): for SNI and the `Host` header. */
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Canonical IP addresses, each checked. */
  readonly addresses: readonly string[];
  readonly resolvedName: boolean;
}

/**
 * A refused destination. `range` is for the operator's log only: answers give every refusal the same words, so the
 * tester cannot be used to learn which internal ranges a name points into.
 */
export interface RefusedDestination {
  readonly kind: 'refused';
  readonly host: string;
  readonly range: string;
}

export interface UnresolvedDestination {
  readonly kind: 'unresolved';
  readonly host: string;
  readonly code: string;
}

export type OutboundDestination = PermittedDestination | RefusedDestination | UnresolvedDestination;

/** The one sentence every refused destination gets, whatever range it fell into. */
export const DESTINATION_REFUSAL_RULE =
  'only public unicast addresses may be contacted (loopback, private, link-local, CGNAT, multicast, reserved and IPv4-embedding IPv6 ranges are refused unless PRIVATE_ENDPOINTS_ALLOW lists them)';

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * Resolves an http(s) URL's host and checks **every** address it resolves to (one bad address refuses the whole
 * destination, so DNS round-robin cannot slip one through). The caller connects to the returned addresses only.
 */
export async function resolveOutboundDestination(
  url: URL,
  allowed: readonly AllowedAddressRange[],
  resolver: HostResolver = systemHostResolver,
): Promise<OutboundDestination> {
  const host = bareHost(url.hostname);
  const tls = url.protocol === 'https:';
  const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
  const literal = endpointAddressRange(host) !== null;
  const hostRefusal = endpointHostRefusal(url.hostname, allowed);
  if (hostRefusal !== null) return { kind: 'refused', host, range: literal ? (endpointAddressRange(host) ?? 'invalid') : 'localhostName' };
  if (literal) return { kind: 'permitted', host: canonicalAddress(host), port, tls, addresses: [canonicalAddress(host)], resolvedName: false };
  let resolved: readonly string[];
  try {
    resolved = await resolver.resolve(host);
  } catch (error) {
    return { kind: 'unresolved', host, code: (error as { code?: string }).code ?? 'ENOTFOUND' };
  }
  if (resolved.length === 0) return { kind: 'unresolved', host, code: 'ENODATA' };
  for (const address of resolved) {
    // A resolver answering something that is not an address (or a zone-scoped one) is refused, never passed to a socket as a name.
    if (endpointAddressRange(address) === null || address.includes('%')) return { kind: 'refused', host, range: 'invalid' };
    if (!isPermittedEndpointAddress(address, allowed)) return { kind: 'refused', host, range: endpointAddressRange(address) ?? 'invalid' };
  }
  const addresses = [...new Set(resolved.map(canonicalAddress))];
  if (addresses.some((address) => isIP(address) === 0)) return { kind: 'refused', host, range: 'invalid' };
  return { kind: 'permitted', host, port, tls, addresses, resolvedName: true };
}
