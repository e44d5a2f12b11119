import { hostname } from 'node:os';
import { readInteger, readString, readUrl, type DeploymentMode, type Environment, InvalidConfigurationError } from '@as2-partners/platform';

/** This service's own settings, read once from the environment beside the platform's config. */
export interface TrafficControlConfig {
  /** How often the scheduler looks for due changes (`until`, window starts and ends). */
  readonly schedulerIntervalMs: number;
  /** How long an operator request waits for a partner this service does not know yet (0 embedded: events arrive first). */
  readonly unknownPartnerWaitMs: number;
  /** SMTP server for blocked-message notices (`smtp://` or `smtps://`); null: notices are recorded, never mailed. */
  readonly smtpUrl: string | null;
  readonly noticeFrom: string;
  /** Where a notice goes when the partner has no station address and its tenant none either. */
  readonly defaultNoticeEmail: string | null;
  /** At most one notice per partner per this many ms; blocks in between are listed in the next one. */
  readonly noticeIntervalMs: number;
  /** How long the first block of a burst waits for more before its notice goes out. */
  readonly noticeGatherMs: number;
  /**
   * Appended to the registry consumer's group: every replica keeps the whole directory in memory, so each consumes
   * every partition in a group of its own (REPLICA_ID, else the host name; empty when embedded).
   */
  readonly replicaGroupSuffix: string;
}

const MAX_TIMER_MS = 2_147_483_647;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

export function trafficControlConfigFrom(env: Environment, mode: DeploymentMode): TrafficControlConfig {
  const defaultNoticeEmail = readString(env, 'TRAFFIC_NOTICE_DEFAULT_EMAIL') ?? null;
  if (defaultNoticeEmail !== null && !EMAIL.test(defaultNoticeEmail)) {
    throw new InvalidConfigurationError('TRAFFIC_NOTICE_DEFAULT_EMAIL', 'must be an e-mail address');
  }
  const noticeFrom = readString(env, 'TRAFFIC_NOTICE_FROM') ?? 'as2-partners@localhost';
  if (!EMAIL.test(noticeFrom)) throw new InvalidConfigurationError('TRAFFIC_NOTICE_FROM', 'must be an e-mail address');
  return {
    schedulerIntervalMs: readInteger(env, 'TRAFFIC_SCHEDULER_INTERVAL_MS', 250, 1, MAX_TIMER_MS),
    unknownPartnerWaitMs: mode === 'embedded' ? 0 : readInteger(env, 'UNKNOWN_PARTNER_WAIT_MS', 3000, 1, MAX_TIMER_MS),
    smtpUrl: readUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']) ?? null,
    noticeFrom,
    defaultNoticeEmail,
    noticeIntervalMs: readInteger(env, 'TRAFFIC_NOTICE_INTERVAL_MS', 60_000, 1, MAX_TIMER_MS),
    noticeGatherMs: readInteger(env, 'TRAFFIC_NOTICE_GATHER_MS', 2000, 0, MAX_TIMER_MS),
    replicaGroupSuffix: mode === 'embedded' ? '' : `.${readString(env, 'REPLICA_ID') ?? hostname()}`,
  };
}

export const TRAFFIC_CONTROL_CONFIG = Symbol('TrafficControlConfig');
