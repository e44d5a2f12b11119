import { assertNever, type Decider } from '@as2-partners/kernel';
import type { TestOutcome } from '../test-run/test-types';
import type { ConnectionTested, PartnerConnectionEvent } from './partner-connection.events';

export type PartnerConnectionCommand = { readonly type: 'record_test'; readonly result: ConnectionTested['data'] };

export interface PartnerConnectionState {
  readonly lastOutcome: TestOutcome | null;
  readonly lastTestedAt: string | null;
  readonly recorded: ReadonlySet<string>;
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
      const recorded = new Set(state.recorded).add(event.data.testId);
      const newer = state.lastTestedAt === null || Date.parse(event.data.testedAt) >= Date.parse(state.lastTestedAt);
      return newer ? { lastOutcome: event.data.outcome, lastTestedAt: event.data.testedAt, recorded } : { ...state, recorded };
    }
    case 'connection.status_changed.v1':
      return state;
    default:
      return assertNever(event);
  }
}

/** One partner's connection history: each test recorded once, and a status change only when the outcome flips. */
export const partnerConnectionDecider: Decider<PartnerConnectionCommand, PartnerConnectionState, PartnerConnectionEvent> = {
  initialState: () => ({ lastOutcome: null, lastTestedAt: null, recorded: new Set() }),
  decide,
  evolve,
};

export const foldPartnerConnection = (events: readonly PartnerConnectionEvent[]): PartnerConnectionState =>
  events.reduce(partnerConnectionDecider.evolve, partnerConnectionDecider.initialState());
