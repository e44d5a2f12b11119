import { invalidPartnerSetting, type EncryptAlgorithm, type FirewallSettings, type MdnMode, type PartnerChanges, type SignAlgorithm } from '@as2-partners/partner-registry-domain';
import { normalisedCidr } from './partner-field.validators';
import type { AllowedAddressRange } from '@as2-partners/platform';
import { refuseNonPublicEndpoints } from './partner-endpoint-addresses';
import type { PartnerFieldsDto } from './partner-settings.dto';

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * API field names to domain changes, for every create and patch: endpoints on non-public addresses are refused here
 * (the allow-list is configuration), and a given password is sealed here and never travels further in clear. A patch
 * names the firewall it changes (`current`): one sent without `allowed_ips` keeps its list, as every nested group keeps
 * the fields a patch leaves out; a new partner's list is empty.
 */
export async function partnerChangesFromDto(
  dto: Partial<PartnerFieldsDto>,
  seal: (plaintext: string) => Promise<string>,
  privateEndpointsAllow: readonly AllowedAddressRange[],
  current?: FirewallSettings,
): Promise<PartnerChanges> {
  refuseNonPublicEndpoints(dto, privateEndpointsAllow);
  const enabled = aliased('auth', dto.auth, dto.http_auth?.enabled);
  const username = aliased('auth_user', dto.auth_user, dto.http_auth?.username);
  const password = aliased('auth_password', dto.auth_password, dto.http_auth?.password);
  const sealedPassword = password === undefined ? undefined : password === null ? null : await seal(password);
  const changes: PartnerChanges = defined({
    name: dto.name,
    url: dto.url,
    active: dto.active,
    sign: aliased('sign', dto.sign, dto.security?.sign, 'security.sign'),
    encrypt: aliased('encrypt', dto.encrypt, dto.security?.encrypt, 'security.encrypt'),
    compress: aliased('compress', dto.compress, dto.security?.compress, 'security.compress'),
    mdnMode: aliased('mdn_mode', dto.mdn_mode, dto.mdn?.mode, 'mdn.mode') as MdnMode | undefined,
    signAlgorithm: aliased('sign_algorithm', dto.sign_algorithm, dto.security?.sign_algorithm, 'security.sign_algorithm') as SignAlgorithm | null | undefined,
    encryptAlgorithm: aliased('encrypt_algorithm', dto.encrypt_algorithm, dto.security?.encrypt_algorithm, 'security.encrypt_algorithm') as EncryptAlgorithm | null | undefined,
    email: dto.email,
    subject: dto.subject,
    mdn: dto.mdn ? mdnChangesOf(dto.mdn) : undefined,
    connection: dto.connection
      ? defined({
          timeoutSeconds: dto.connection.timeout_seconds,
          retryAttempts: dto.connection.retry_attempts,
          retryIntervalSeconds: dto.connection.retry_interval_seconds,
        })
      : undefined,
    httpAuth:
      enabled !== undefined || username !== undefined || password !== undefined ? defined({ enabled, username, sealedPassword }) : undefined,
    stationId: dto.station_id,
    firewall: dto.firewall ? { enabled: dto.firewall.enabled, allowedIps: dto.firewall.allowed_ips === undefined ? (current?.allowedIps ?? []) : [...new Set(dto.firewall.allowed_ips.map(normalisedCidr))] } : undefined,
  });
  return changes;
}

/** The MDN group's own settings; undefined when it carried only `mode` (mdn_mode's other name). */
function mdnChangesOf(mdn: NonNullable<PartnerFieldsDto['mdn']>): PartnerChanges['mdn'] {
  const changes = defined({ url: mdn.url, signed: mdn.signed, algorithm: mdn.algorithm as SignAlgorithm | null | undefined });
  return mdn.mode !== undefined && Object.keys(changes).length === 0 ? undefined : changes;
}

/**
 * Two names of one setting: seed 003's flat `auth*` fields and `http_auth`; seed 002's flat security fields and mdn_mode
 * and its complete configuration object's `security` and `mdn.mode`. Either may be sent, not two different values.
 */
function aliased<T>(alias: string, flat: T | undefined, nested: T | undefined, counterpart = 'its http_auth counterpart'): T | undefined {
  if (flat !== undefined && nested !== undefined && flat !== nested) {
    throw invalidPartnerSetting(alias, `The ${alias.replace(/_/g, ' ')} field and ${counterpart} disagree: send one of them`);
  }
  return flat !== undefined ? flat : nested;
}
