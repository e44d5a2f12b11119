import type { PartnerSettingsPayload } from '@as2-partners/partner-registry-contract';
import type { TestedPartnerDocument } from './tested-partner.documents';

/** A partner with the settings an event (or a tenant's override) names; fields it leaves out keep their value. */
export function withSettings(partner: TestedPartnerDocument, s: PartnerSettingsPayload): TestedPartnerDocument {
  return {
    ...partner,
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.url !== undefined ? { url: s.url } : {}),
    ...(s.sign !== undefined ? { sign: s.sign } : {}),
    ...(s.encrypt !== undefined ? { encrypt: s.encrypt } : {}),
    ...(s.compress !== undefined ? { compress: s.compress } : {}),
    ...(s.mdnMode !== undefined ? { mdnMode: s.mdnMode } : {}),
    ...(s.signAlgorithm !== undefined ? { signAlgorithm: s.signAlgorithm } : {}),
    ...(s.encryptAlgorithm !== undefined ? { encryptAlgorithm: s.encryptAlgorithm } : {}),
    ...(s.mdn?.signed !== undefined ? { mdnSigned: s.mdn.signed } : {}),
    ...(s.mdn?.algorithm !== undefined ? { mdnAlgorithm: s.mdn.algorithm } : {}),
    ...(s.connection?.timeoutSeconds !== undefined ? { timeoutSeconds: s.connection.timeoutSeconds } : {}),
    ...(s.httpAuth?.enabled !== undefined ? { httpAuthEnabled: s.httpAuth.enabled } : {}),
    ...(s.httpAuth?.username !== undefined ? { httpAuthUsername: s.httpAuth.username } : {}),
    ...(s.httpAuth?.sealedPassword !== undefined ? { httpAuthSealedPassword: s.httpAuth.sealedPassword } : {}),
    ...(s.stationId !== undefined ? { stationId: s.stationId } : {}),
  };
}
