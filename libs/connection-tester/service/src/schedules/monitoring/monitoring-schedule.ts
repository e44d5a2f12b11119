import { createHash } from 'node:crypto';

/**
 * The slot a monitored partner is due in: each partner's runs are offset within the interval by a hash of its id, so
 * a tenant's partners (and all tenants) do not all run at the top of the hour. Every replica computes the same slot.
 */
export function currentSlotOf(monitoringId: string, intervalMinutes: number, now: Date): Date {
  const intervalMs = intervalMinutes * 60_000;
  const offset = createHash('sha256').update(monitoringId).digest().readUInt32BE(0) % intervalMs;
  return new Date(Math.floor((now.getTime() - offset) / intervalMs) * intervalMs + offset);
}
