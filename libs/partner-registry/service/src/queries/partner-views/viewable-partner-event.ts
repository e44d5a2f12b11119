import { type RecordedEvent, UnreadableEventError } from '@as2-partners/kernel';

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The settings' groups a view presents field by field: each an object whenever the settings carry it. */
const GROUPS = ['mdn', 'connection', 'httpAuth'] as const;

function groupsProblem(settings: Fields, required: boolean): string | null {
  for (const group of GROUPS) {
    if ((required || settings[group] !== undefined) && !isObject(settings[group])) return `settings.${group} is not an object`;
  }
  return firewallProblem(settings['firewall']);
}

/** The firewall a view presents (its allowed ranges listed one by one), when the settings carry one. */
function firewallProblem(firewall: unknown): string | null {
  if (firewall === undefined) return null;
  if (!isObject(firewall)) return 'settings.firewall is not an object';
  const { enabled, allowedIps } = firewall;
  if (enabled !== undefined && typeof enabled !== 'boolean') return 'settings.firewall.enabled is not true or false';
  if (allowedIps !== undefined && (!Array.isArray(allowedIps) || allowedIps.some((range) => typeof range !== 'string'))) return 'settings.firewall.allowedIps is not a list of ranges';
  return null;
}

function createdProblem(data: unknown, tenantPartner: boolean): string | null {
  if (!isObject(data)) return 'its data is not an object';
  for (const field of ['partnerId', 'account', 'as2Id', 'createdAt', ...(tenantPartner ? ['tenant'] : [])]) {
    if (typeof data[field] !== 'string') return `its ${field} is not text`;
  }
  const settings = data['settings'];
  if (!isObject(settings)) return 'it has no settings';
  if (typeof settings['name'] !== 'string' || typeof settings['url'] !== 'string') return 'its settings name no partner and no URL';
  return groupsProblem(settings, true);
}

function updatedProblem(data: unknown): string | null {
  if (!isObject(data)) return 'its data is not an object';
  if (typeof data['partnerId'] !== 'string') return 'its partnerId is not text';
  if (!isObject(data['changes'])) return 'its changes are not an object';
  return groupsProblem(data['changes'], false);
}

/**
 * The partner events a view is made from, as far as it reads them: a store edited by hand or a broken producer can
 * hold a `partner.created.v1` without settings, which would make a view every list and read of the tenant fails to
 * present. Such an event is refused with an {@link UnreadableEventError} (parked at once, named in the parked list), never
 * written into a view.
 */
export function requireViewablePartnerEvent(event: RecordedEvent): void {
  let problem: string | null = null;
  switch (event.type) {
    case 'partner.created.v1':
    case 'master_partner.created.v1':
      problem = createdProblem(event.data, event.type === 'partner.created.v1');
      break;
    case 'partner.updated.v1':
    case 'master_partner.updated.v1':
      problem = updatedProblem(event.data);
      break;
    default:
      return;
  }
  if (problem !== null) throw new UnreadableEventError(`${event.type} ${event.id} (position ${event.position}) cannot make a partner's view: ${problem}`);
}
