import { nonPublicEndpointUrl } from '@as2-partners/partner-registry-domain';
import { endpointHostRefusal, type AllowedAddressRange } from '@as2-partners/platform';
import type { PartnerFieldsDto } from './partner-settings.dto';

function hostnameOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/**
 * The gateway posts messages to `url` and the connection tester probes both endpoints: neither may name loopback, a
 * private or link-local address, or localhost, unless PRIVATE_ENDPOINTS_ALLOW lets that range through.
 */
export function refuseNonPublicEndpoints(dto: Partial<PartnerFieldsDto>, allowed: readonly AllowedAddressRange[]): void {
  const endpoints: readonly [string, string | null | undefined][] = [
    ['url', dto.url],
    ['mdn.url', dto.mdn?.url],
  ];
  for (const [field, url] of endpoints) {
    const hostname = typeof url === 'string' ? hostnameOf(url) : null;
    const refusal = hostname === null ? null : endpointHostRefusal(hostname, allowed);
    if (refusal) throw nonPublicEndpointUrl(field, refusal);
  }
}
