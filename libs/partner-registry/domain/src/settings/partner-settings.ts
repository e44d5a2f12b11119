import type { EncryptAlgorithm, MdnMode, SignAlgorithm } from './algorithms';

export interface MdnSettings {
  /** Where the partner should send asynchronous MDNs; null uses the gateway's default receipt URL. */
  readonly url: string | null;
  readonly signed: boolean;
  readonly algorithm: SignAlgorithm | null;
}

export interface ConnectionSettings {
  readonly timeoutSeconds: number;
  readonly retryAttempts: number;
  readonly retryIntervalSeconds: number;
}

/** HTTP basic auth for outbound messages; the password is only ever held sealed (encrypted by the service). */
export interface HttpAuthSettings {
  readonly enabled: boolean;
  readonly username: string | null;
  readonly sealedPassword: string | null;
}

/** Inbound source allow-list (seed 003 `firewall`): when enabled, only these CIDRs may deliver messages as the partner. */
export interface FirewallSettings {
  readonly enabled: boolean;
  /** Normalised IPv4 and IPv6 CIDRs, at most MAX_FIREWALL_RANGES. */
  readonly allowedIps: readonly string[];
}

export const MAX_FIREWALL_RANGES = 100;

/** Everything configurable about a trading partner except its AS2 id (changed only through the AS2-id change). */
export interface PartnerSettings {
  readonly name: string;
  readonly url: string;
  readonly active: boolean;
  readonly sign: boolean;
  readonly encrypt: boolean;
  readonly compress: boolean;
  readonly mdnMode: MdnMode;
  readonly signAlgorithm: SignAlgorithm | null;
  readonly encryptAlgorithm: EncryptAlgorithm | null;
  readonly email: string | null;
  readonly subject: string | null;
  readonly mdn: MdnSettings;
  readonly connection: ConnectionSettings;
  readonly httpAuth: HttpAuthSettings;
  /** The station grouping the partner (its failure notices go to the station's e-mail); absent in events before stations. */
  readonly stationId?: string | null;
  /** Absent in events before firewalls: disabled. */
  readonly firewall?: FirewallSettings;
}

/** A partial change: top-level fields replace, nested groups merge field by field. */
export interface PartnerChanges {
  readonly name?: string;
  readonly url?: string;
  readonly active?: boolean;
  readonly sign?: boolean;
  readonly encrypt?: boolean;
  readonly compress?: boolean;
  readonly mdnMode?: MdnMode;
  readonly signAlgorithm?: SignAlgorithm | null;
  readonly encryptAlgorithm?: EncryptAlgorithm | null;
  readonly email?: string | null;
  readonly subject?: string | null;
  readonly mdn?: Partial<MdnSettings>;
  readonly connection?: Partial<ConnectionSettings>;
  readonly httpAuth?: Partial<HttpAuthSettings>;
  readonly stationId?: string | null;
  /** Replaces the whole firewall. */
  readonly firewall?: FirewallSettings;
}

export const DEFAULT_MDN: MdnSettings = { url: null, signed: false, algorithm: null };
export const DEFAULT_CONNECTION: ConnectionSettings = { timeoutSeconds: 60, retryAttempts: 3, retryIntervalSeconds: 300 };
export const DEFAULT_HTTP_AUTH: HttpAuthSettings = { enabled: false, username: null, sealedPassword: null };
export const DEFAULT_FIREWALL: FirewallSettings = { enabled: false, allowedIps: [] };

/** What a new partner gets for everything its creator did not say. */
export function partnerSettingsWithDefaults(given: PartnerChanges & { readonly name: string; readonly url: string }): PartnerSettings {
  return applyPartnerChanges(
    {
      name: given.name,
      url: given.url,
      active: true,
      sign: false,
      encrypt: false,
      compress: false,
      mdnMode: 'async',
      signAlgorithm: null,
      encryptAlgorithm: null,
      email: null,
      subject: null,
      mdn: DEFAULT_MDN,
      connection: DEFAULT_CONNECTION,
      httpAuth: DEFAULT_HTTP_AUTH,
      stationId: null,
      firewall: DEFAULT_FIREWALL,
    },
    given,
  );
}

const NESTED = ['mdn', 'connection', 'httpAuth'] as const;

function definedEntries<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function applyPartnerChanges(settings: PartnerSettings, changes: PartnerChanges): PartnerSettings {
  const { mdn, connection, httpAuth, ...flat } = changes;
  return {
    ...settings,
    ...definedEntries(flat),
    mdn: { ...settings.mdn, ...definedEntries(mdn ?? {}) },
    connection: { ...settings.connection, ...definedEntries(connection ?? {}) },
    httpAuth: { ...settings.httpAuth, ...definedEntries(httpAuth ?? {}) },
  };
}

/** Later changes win; nested groups merge. Used to accumulate a tenant's overrides. */
export function mergePartnerChanges(earlier: PartnerChanges, later: PartnerChanges): PartnerChanges {
  const merged: Record<string, unknown> = { ...definedEntries(earlier), ...definedEntries(later) };
  for (const group of NESTED) {
    const combined = { ...definedEntries(earlier[group] ?? {}), ...definedEntries(later[group] ?? {}) };
    if (Object.keys(combined).length > 0) merged[group] = combined;
    else delete merged[group];
  }
  return merged as PartnerChanges;
}

/** The subset of `changes` that actually differs from `settings` (empty object when nothing changes). */
export function effectivePartnerChanges(settings: PartnerSettings, changes: PartnerChanges): PartnerChanges {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(definedEntries(changes))) {
    if ((NESTED as readonly string[]).includes(key)) {
      const current = settings[key as (typeof NESTED)[number]] as unknown as Record<string, unknown>;
      const differing = Object.fromEntries(
        Object.entries(definedEntries(value as object)).filter(([field, v]) => current[field] !== v),
      );
      if (Object.keys(differing).length > 0) result[key] = differing;
    } else if (!sameValue(settings[key as keyof PartnerSettings], value)) {
      result[key] = value;
    }
  }
  return result as PartnerChanges;
}

/** Plain values compare by identity; the firewall (a whole object) by content. */
function sameValue(current: unknown, next: unknown): boolean {
  if (typeof current === 'object' && current !== null && typeof next === 'object' && next !== null) return JSON.stringify(current) === JSON.stringify(next);
  return current === next;
}

export function hasAnyChange(changes: PartnerChanges): boolean {
  return Object.keys(definedEntries(changes)).length > 0;
}
