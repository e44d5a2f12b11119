import type { TestOutcome, TestTrigger, TestType, TimelineStep } from '../test-run/test-types';

type Evt<T extends string, D> = { readonly type: T; readonly data: D };

/** What a test found: its steps and outcome. Never the payload sent, nor a password, key or MDN body. */
export type ConnectionTested = Evt<
  'connection.tested.v1',
  {
    readonly testId: string;
    readonly account: string;
    readonly tenant: string;
    readonly partnerId: string;
    readonly partnerName: string;
    readonly partnerAs2Id: string;
    /** The endpoint tested, without any user information. */
    readonly url: string;
    readonly testType: TestType;
    readonly trigger: TestTrigger;
    readonly outcome: TestOutcome;
    /** Seed 002's `results` object, in its snake_case keys (it is shown as is). */
    readonly results: Readonly<Record<string, string | number | boolean | null>>;
    readonly timeline: readonly TimelineStep[];
    readonly durationMs: number;
    readonly testedAt: string;
  }
>;

/** The outcome of a partner's tests flipped (success → failure or back); the first test changes nothing. */
export type ConnectionStatusChanged = Evt<
  'connection.status_changed.v1',
  {
    readonly partnerId: string;
    readonly account: string;
    readonly tenant: string;
    readonly previousOutcome: TestOutcome;
    readonly outcome: TestOutcome;
    readonly testId: string;
    readonly testType: TestType;
    readonly trigger: TestTrigger;
    readonly changedAt: string;
  }
>;

export type PartnerConnectionEvent = ConnectionTested | ConnectionStatusChanged;

export const PARTNER_CONNECTION_EVENT_TYPES = ['connection.tested.v1', 'connection.status_changed.v1'] as const satisfies readonly PartnerConnectionEvent['type'][];
