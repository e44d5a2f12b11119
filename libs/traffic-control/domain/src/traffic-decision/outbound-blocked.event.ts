/** An outbound message the decision API blocked: facts only; seed 000 keeps no attachment of a blocked message. */
export interface OutboundBlocked {
  readonly type: 'traffic.outbound_blocked.v1';
  readonly data: {
    readonly partnerId: string;
    readonly account: string;
    readonly tenant: string | null;
    readonly as2InstanceId: string;
    readonly messageId: string;
    readonly channel: string | null;
    readonly as2From: string;
    readonly as2To: string;
    readonly reason: string;
    readonly blockedAt: string;
  };
}
