import { parseAllowedAddressRanges, systemHostResolver } from '@as2-partners/platform';
import type { ProbeSettings } from './endpoint-probe';
import { systemSocketFactory } from './socket-factory';

/** The probes' settings for peers a spec runs on loopback: 127.0.0.0/8 let through, the system's resolver and sockets, answers capped at 1 MiB. */
export const LOOPBACK_PROBE_SETTINGS: ProbeSettings = {
  allowed: parseAllowedAddressRanges('127.0.0.0/8'),
  resolver: systemHostResolver,
  sockets: systemSocketFactory,
  maxResponseBytes: 1_048_576,
  now: () => new Date(),
};
