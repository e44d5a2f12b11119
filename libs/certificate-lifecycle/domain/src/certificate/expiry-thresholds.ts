/** Days before not_after at which `certificate.expiring.v1` is emitted, loosest first. */
export const EXPIRY_THRESHOLD_DAYS = [30, 14, 7, 1] as const;

const DAY_MS = 86_400_000;

/**
 * The notice due at `now`: the tightest threshold already crossed, `expired` after not_after, or null.
 * Thresholds looser than the one due are skipped, not announced late (a certificate uploaded 5 days
 * before expiry gets the 7-day notice only).
 */
export function expiryNoticeAt(notAfter: string, now: Date): { kind: 'expired' } | { kind: 'expiring'; thresholdDays: number; daysLeft: number } | null {
  const remainingMs = new Date(notAfter).getTime() - now.getTime();
  if (remainingMs <= 0) return { kind: 'expired' };
  const crossed = EXPIRY_THRESHOLD_DAYS.filter((days) => remainingMs <= days * DAY_MS);
  if (crossed.length === 0) return null;
  return { kind: 'expiring', thresholdDays: crossed[crossed.length - 1], daysLeft: Math.floor(remainingMs / DAY_MS) };
}
