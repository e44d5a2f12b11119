import { hasControlCharacters } from '@as2-partners/kernel';

/**
 * `https://` then an authority (a host, an optional port) ending at the first `/`, `?` or `#`: the spelling every URL
 * parser reads alike. WHATWG's parser (Node's `URL`) also takes `\` for `/`, `https:host` and `https:///host` for
 * `https://host`, and drops an empty port; RFC 3986 parsers (Python's urllib, curl, a gateway's HTTP client) read those
 * differently, e.g. `https://a.example.com\@127.0.0.1/` is a.example.com to WHATWG and 127.0.0.1 to curl. The stored
 * text is what the gateway connects to, so only a spelling with one reading is accepted.
 */
const UNAMBIGUOUS_HTTPS = /^https:\/\/(?<authority>[^/?#\\]+)(?:[/?#][^\\]*)?$/i;
/**
 * A registered name of non-empty labels of letters (any script: IDN), digits, marks, `-` and `_` (one trailing dot
 * allowed), or a bracketed IPv6 literal, then `:port` or nothing. RFC 3986 also lets a name hold `*`, `!`, `$`, `'`, …,
 * which no DNS host has: refused, as the documented pattern does.
 */
const HOST_AND_PORT = /^(?:\[[0-9a-f:.]+\]|[\p{L}\p{N}\p{M}_-]+(?:\.[\p{L}\p{N}\p{M}_-]+)*\.?)(?::(?<port>\d{1,5}))?$/iu;

/**
 * A partner endpoint must be an absolute `https://` URL with a host, spelled without whitespace or control characters
 * (WHATWG parsing would silently drop a CR/LF that the stored text keeps, and the text ends up in headers), without
 * user info, percent-encoding in its host or an empty or zero port, and so that every parser finds the same host in it.
 */
export function isHttpsUrl(value: string): boolean {
  if (typeof value !== 'string' || value.length > 2048 || /\s/.test(value) || hasControlCharacters(value)) return false;
  const authority = UNAMBIGUOUS_HTTPS.exec(value)?.groups?.['authority'];
  const hostAndPort = authority === undefined ? null : HOST_AND_PORT.exec(authority);
  if (!hostAndPort) return false;
  const port = hostAndPort.groups?.['port'];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.length > 0 && !url.username && !url.password;
  } catch {
    return false;
  }
}
