export const PLANS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

/** A tenant the account never registered is billed as `free`. */
export const DEFAULT_PLAN: Plan = 'free';

const PARTNER_LIMITS: Readonly<Record<Plan, number | null>> = {
  free: 5,
  starter: 10,
  professional: null,
  enterprise: null,
};

/** Maximum tenant partners for a plan; null means unlimited. */
export function partnerLimitOf(plan: Plan): number | null {
  return PARTNER_LIMITS[plan];
}

export function isPlan(value: unknown): value is Plan {
  return (PLANS as readonly unknown[]).includes(value);
}
