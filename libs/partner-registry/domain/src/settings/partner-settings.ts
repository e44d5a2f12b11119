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

/** Everything configurable about a trading partner except its AS2 id (which never changes). */
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
}

export const DEFAULT_MDN: MdnSettings = { url: null, signed: false, algorithm: null };
export const DEFAULT_CONNECTION: ConnectionSettings = { timeoutSeconds: 60, retryAttempts: 3, retryIntervalSeconds: 300 };
export const DEFAULT_HTTP_AUTH: HttpAuthSettings = { enabled: false, username: null, sealedPassword: null };

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
    } else if (settings[key as keyof PartnerSettings] !== value) {
      result[key] = value;
    }
  }
  return result as PartnerChanges;
}

export function hasAnyChange(changes: PartnerChanges): boolean {
  return Object.keys(definedEntries(changes)).length > 0;
}
