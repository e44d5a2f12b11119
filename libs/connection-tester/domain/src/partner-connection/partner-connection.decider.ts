import { assertNever, bucketedMapsCodec, PersistentMap, type BucketRows, type Decider, type SnapshotCodec } from '@as2-partners/kernel';
import type { TestOutcome } from '../test-run/test-types';
import type { ConnectionTested, PartnerConnectionEvent } from './partner-connection.events';

export type PartnerConnectionCommand = { readonly type: 'record_test'; readonly result: ConnectionTested['data'] };

export interface PartnerConnectionState {
  readonly lastOutcome: TestOutcome | null;
  readonly lastTestedAt: string | null;
  /**
   * Every test recorded, by test id, with when it ran: each is recorded once. A monitored partner is tested every
   * 15 minutes for years, so this is persistent (O(1) per event) and snapshotted.
   */
  readonly recorded: PersistentMap<string, string>;
}

function decide(command: PartnerConnectionCommand, state: PartnerConnectionState): PartnerConnectionEvent[] {
  switch (command.type) {
    case 'record_test': {
      const result = command.result;
      if (state.recorded.has(result.testId)) return [];
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
      const recorded = state.recorded.set(event.data.testId, event.data.testedAt);
      const newer = state.lastTestedAt === null || Date.parse(event.data.testedAt) >= Date.parse(state.lastTestedAt);
      return newer ? { lastOutcome: event.data.outcome, lastTestedAt: event.data.testedAt, recorded } : { ...state, recorded };
    }
    case 'connection.status_changed.v1':
      return state;
    default:
      return assertNever(event);
  }
}

const RECORDED_ROWS: BucketRows<string, string> = { width: 2, toRow: (testId, testedAt) => [testId, testedAt], valueOf: (items, at) => items[at + 1] as string };

/** The recorded tests bucketed, the last outcome in the header: a restart does not fold a partner's years of tests. */
const snapshotCodec: SnapshotCodec<PartnerConnectionState> = bucketedMapsCodec({
  name: 'partner_connection.v1',
  maps: [{ field: 'recorded', rows: RECORDED_ROWS }],
  partsOf: (state) => ({ maps: [state.recorded], header: { lastOutcome: state.lastOutcome, lastTestedAt: state.lastTestedAt } }),
  stateOf: ({ maps: [recorded], header }) => ({
    lastOutcome: header['lastOutcome'] as TestOutcome | null,
    lastTestedAt: header['lastTestedAt'] as string | null,
    recorded: recorded as PartnerConnectionState['recorded'],
  }),
});

/** One partner's connection history: each test recorded once, and a status change only when the outcome flips. */
export const partnerConnectionDecider: Decider<PartnerConnectionCommand, PartnerConnectionState, PartnerConnectionEvent> = {
  initialState: () => ({ lastOutcome: null, lastTestedAt: null, recorded: PersistentMap.empty() }),
  decide,
  evolve,
  snapshot: snapshotCodec,
};

export const foldPartnerConnection = (events: readonly PartnerConnectionEvent[]): PartnerConnectionState =>
  events.reduce(partnerConnectionDecider.evolve, partnerConnectionDecider.initialState());
