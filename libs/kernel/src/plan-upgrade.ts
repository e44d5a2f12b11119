/** Where a plan limit's 402 sends the caller to upgrade (`details.upgrade_url`, as the Trading Partners API shows it). */
export const PLAN_UPGRADE_URL = 'https://as2aas.com/dashboard/billing';
