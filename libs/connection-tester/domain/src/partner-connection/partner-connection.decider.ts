import { assertNever, type Decider, type SnapshotCodec } from '@as2-partners/kernel';
import type { TestOutcome } from '../test-run/test-types';
import type { ConnectionTested, PartnerConnectionEvent } from './partner-connection.events';

export type PartnerConnectionCommand = { readonly type: 'record_test'; readonly result: ConnectionTested['data'] };

export interface PartnerConnectionState {
  readonly lastOutcome: TestOutcome | null;
  readonly lastTestedAt: string | null;
  /**
   * The ids of the latest RECORDED_IDS_KEPT tests, oldest first, so a test is recorded once. A monitored partner is
   * tested every 15 minutes for years: all of them would grow the state (and each event's copy) without end, and only
   * a retry of a recent run can repeat an id (an older retry by the same Idempotency-Key finds its first events).
   */
  readonly recorded: readonly string[];
}

function decide(command: PartnerConnectionCommand, state: PartnerConnectionState): PartnerConnectionEvent[] {
  switch (command.type) {
    case 'record_test': {
      const result = command.result;
      if (state.recorded.includes(result.testId)) return [];
      const tested: PartnerConnectionEvent = { type: 'connection.tested.v1', data: result };
      // A test that finished before the last recorded one (a slow run) tells nothing about the current status.
      const newer = state.lastTestedAt === null || Date.parse(result.testedAt) >= Date.parse(state.lastTestedAt);
      if (state.lastOutcome === null || state.lastOutcome === result.outcome || !newer) return [tested];
      return [
        tested,
        {
          type: 'connection.status_changed.v1',
          data: {
            partnerId: result.partnerId,
            account: result.account,
            tenant: result.tenant,
            previousOutcome: state.lastOutcome,
            outcome: result.outcome,
            testId: result.testId,
            testType: result.testType,
            trigger: result.trigger,
            changedAt: result.testedAt,
          },
        },
      ];
    }
    default:
      return assertNever(command.type);
  }
}

function evolve(state: PartnerConnectionState, event: PartnerConnectionEvent): PartnerConnectionState {
  switch (event.type) {
    case 'connection.tested.v1': {
      const recorded = [...state.recorded.slice(-(RECORDED_IDS_KEPT - 1)), event.data.testId];
      const newer = state.lastTestedAt === null || Date.parse(event.data.testedAt) >= Date.parse(state.lastTestedAt);
      return newer ? { lastOutcome: event.data.outcome, lastTestedAt: event.data.testedAt, recorded } : { ...state, recorded };
    }
    case 'connection.status_changed.v1':
      return state;
    default:
      return assertNever(event);
  }
}

/** Ten days of tests every 15 minutes. */
export const RECORDED_IDS_KEPT = 1_000;

/** Small (the last outcome, the latest ids): plain JSON, so a restart does not fold a partner's years of tests. */
const snapshotCodec: SnapshotCodec<PartnerConnectionState> = {
  name: 'partner_connection.v1',
  every: 1_000,
  toJson: (state) => state,
  fromJson: (json) => json as PartnerConnectionState,
};

/** One partner's connection history: each test recorded once, and a status change only when the outcome flips. */
export const partnerConnectionDecider: Decider<PartnerConnectionCommand, PartnerConnectionState, PartnerConnectionEvent> = {
  initialState: () => ({ lastOutcome: null, lastTestedAt: null, recorded: [] }),
  decide,
  evolve,
  snapshot: snapshotCodec,
};

export const foldPartnerConnection = (events: readonly PartnerConnectionEvent[]): PartnerConnectionState =>
  events.reduce(partnerConnectionDecider.evolve, partnerConnectionDecider.initialState());
