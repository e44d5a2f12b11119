import type { ResolvedDecision } from '@as2-partners/traffic-control-domain';
import type { LiveTrafficDirectory } from '../../directory/live-traffic-directory';
import type { OutboundBlockRecorder } from '../../reactions/outbound-blocked/outbound-block-recorder';
import type { DecisionRequest } from './decision.schemas';

export interface DecisionAnswer {
  decision: string;
  reason_code: string;
  reason: string;
  message_id: string;
  partner_id: string | null;
  as2_instance_id: string | null;
  hold?: boolean;
  retry_after_seconds?: number;
  mdn?: { disposition: string; text: string };
  as_of?: { readonly partner_registry: number | null; readonly traffic_control: number | null };
}

/** Answers decisions from the in-memory directory and hands every `block` to the recorder (never waiting for it). */
export class TrafficDecisions {
  constructor(
    private readonly live: LiveTrafficDirectory,
    private readonly blocks: OutboundBlockRecorder,
    private readonly nowMs: () => number,
  ) {}

  now(): number {
    return this.nowMs();
  }

  private asOfFrom: Readonly<Record<string, number | null>> | null = null;
  private asOfAnswer: { readonly partner_registry: number | null; readonly traffic_control: number | null } = { partner_registry: null, traffic_control: null };

  /** The answer's `as_of`, rebuilt only when a position moved (the directory hands out the same snapshot until then). */
  asOf(): { readonly partner_registry: number | null; readonly traffic_control: number | null } {
    const positions = this.live.asOf();
    if (positions !== this.asOfFrom) {
      this.asOfFrom = positions;
      this.asOfAnswer = Object.freeze({ partner_registry: positions['partner-registry'] ?? null, traffic_control: positions['traffic-control'] ?? null });
    }
    return this.asOfAnswer;
  }

  /** `tenant`: the gateway credential's tenant claim (null: account-wide), which scopes what the pair resolves to. */
  decide(account: string, tenant: string | null, request: DecisionRequest, now = this.nowMs()): DecisionAnswer {
    const resolved = this.live.directory.decide(account, tenant, request.direction, request.as2_from, request.as2_to, now);
    if (resolved.decision === 'block') this.blocks.record(resolved, request, now);
    return answerOf(resolved, request);
  }
}

/** Every field in one literal, in one order: each answer has the same hidden class (the serializer skips the undefined). */
function answerOf(resolved: ResolvedDecision, request: DecisionRequest): DecisionAnswer {
  return {
    decision: resolved.decision,
    reason_code: resolved.reasonCode,
    reason: resolved.reason,
    message_id: request.message_id,
    partner_id: resolved.partner !== null ? resolved.partner.partnerId : null,
    as2_instance_id: resolved.instance !== null ? resolved.instance.instanceId : null,
    hold: resolved.hold,
    retry_after_seconds: resolved.retryAfterSeconds,
    mdn: resolved.mdn,
    as_of: undefined,
  };
}
