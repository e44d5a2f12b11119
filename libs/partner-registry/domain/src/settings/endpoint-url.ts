import { hasControlCharacters } from './header-text';

/**
 * A partner endpoint must be an absolute `https://` URL with a host, spelled without whitespace or control characters
 * (WHATWG parsing would silently drop a CR/LF that the stored text keeps, and the text ends up in headers).
 */
export function isHttpsUrl(value: string): boolean {
  if (typeof value !== 'string' || value.length > 2048 || /\s/.test(value) || hasControlCharacters(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.length > 0 && !url.username && !url.password;
  } catch {
    return false;
  }
}
