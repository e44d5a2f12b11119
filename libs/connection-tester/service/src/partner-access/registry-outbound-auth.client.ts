import type { OutboundAuthRef, OutboundCredential, PartnerOutboundAuthPort } from './partner-outbound-auth.port';

const REQUEST_TIMEOUT_MS = 5_000;

interface OutboundAuthAnswer {
  readonly data?: { readonly enabled?: unknown; readonly username?: unknown; readonly password?: unknown };
  readonly error?: { readonly code?: unknown };
}

const nullableString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The port over HTTP (distributed mode): `GET {PARTNER_REGISTRY_URL}/internal/v1/partners/{id}/outbound-auth` with a
 * gateway token (`PARTNER_REGISTRY_TOKEN` or minted with the shared JWT_SECRET, account "*" or the partner's). An error names the status, never the body.
 */
export class RegistryOutboundAuthClient implements PartnerOutboundAuthPort {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | (() => string | Promise<string>),
  ) {}

  async outboundAuth(ref: OutboundAuthRef): Promise<OutboundCredential> {
    const url = new URL(`internal/v1/partners/${encodeURIComponent(ref.partnerId)}/outbound-auth`, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    url.searchParams.set('account', ref.account);
    url.searchParams.set('tenant', ref.tenant);
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${typeof this.token === 'string' ? this.token : await this.token()}`, accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answer = (await response.json().catch(() => ({}))) as OutboundAuthAnswer;
    if (!response.ok || !answer.data) {
      const code = typeof answer.error?.code === 'string' ? ` ${answer.error.code}` : '';
      throw new Error(`the partner registry answered ${response.status}${code}`);
    }
    return { enabled: answer.data.enabled === true, username: nullableString(answer.data.username), password: nullableString(answer.data.password) };
  }
}
