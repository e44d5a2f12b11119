/** Certificate storage per plan (seed 002): free 10, starter 25, professional 100, enterprise unlimited. */
const CERTIFICATE_LIMITS: Readonly<Record<string, number | null>> = {
  free: 10,
  starter: 25,
  professional: 100,
  enterprise: null,
};

/** null means unlimited; an unknown plan is billed as free. */
export function certificateLimitOf(plan: string): number | null {
  return plan in CERTIFICATE_LIMITS ? CERTIFICATE_LIMITS[plan] : CERTIFICATE_LIMITS['free'];
}
