import type { WriteModel } from '@as2-partners/kernel';
import { invalidPartnerSetting, PartnerRegistryStreams, stationDecider, stationNotFound } from '@as2-partners/partner-registry-domain';
import { STATION_ID_PATTERN } from './registry-ids';

/**
 * A partner's `station_id` must name one of the caller tenant's stations (from the write model); master partners
 * belong to no station, since stations are a tenant's: a tenant sets one on its inherited partner instead.
 */
export async function requireStationFor(writeModel: WriteModel, account: string, tenant: string | null, stationId: string | null | undefined): Promise<void> {
  if (stationId === undefined || stationId === null) return;
  if (tenant === null) throw invalidPartnerSetting('station_id', 'Master partners belong to no station: a tenant sets station_id on its inherited partner');
  const state = STATION_ID_PATTERN.test(stationId) ? (await writeModel.load(PartnerRegistryStreams.station(stationId), stationDecider)).state : stationDecider.initialState();
  if (state.status !== 'active' || state.station.account !== account || state.station.tenant !== tenant) throw stationNotFound(stationId, 'station_id');
}
