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

  /** False while the directory is refilled after a restart: then decide with `decideWhileFilling`, once `pairsAnswerable`. */
  get filled(): boolean {
    return this.live.filled;
  }

  /** True when a pair can be decided (and a deleted tenant told): the directory is filled, or only its partners are still coming. */
  get pairsAnswerable(): boolean {
    return this.live.pairsAnswerable;
  }

  whenPairsAnswerable(): Promise<void> {
    return this.live.whenPairsAnswerable();
  }

  /** True when the tenant a gateway credential claims was deleted (its tokens are refused, 403 TENANT_DELETED). */
  isTenantDeleted(account: string, tenant: string): boolean {
    return this.live.directory.isTenantDeleted(account, tenant);
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
    const resolved = this.resolve(account, tenant, request, now);
    return answerOf(resolved, request);
  }

  /**
   * `decide` while the directory is refilled after a restart (`pairsAnswerable` first): the pair's partners are brought
   * in ahead of the refill's pages and the pair decided from them, as the whole directory would decide it. A pair whose
   * instance is found but no partner (its "did you mean" reads every partner of the scope) waits for the whole refill.
   */
  async decideWhileFilling(account: string, tenant: string | null, request: DecisionRequest): Promise<DecisionAnswer> {
    const [resolved] = await this.resolvedWhileFilling(account, tenant, [request]);
    return answerOf(resolved as ResolvedDecision, request);
  }

  /** `decideAllAsJson` while the directory is refilled: every pair of the batch decided as `decideWhileFilling` does. */
  async decideAllAsJsonWhileFilling(account: string, tenant: string | null, requests: readonly DecisionRequest[]): Promise<string> {
    const resolved = await this.resolvedWhileFilling(account, tenant, requests);
    let text = '{"decisions":[';
    for (let i = 0; i < requests.length; i += 1) text += this.answerItemText(i, requests[i] as DecisionRequest, resolved[i] as ResolvedDecision);
    return `${text}],"as_of":${this.asOfText()}}`;
  }

  private async resolvedWhileFilling(account: string, tenant: string | null, requests: readonly DecisionRequest[]): Promise<ResolvedDecision[]> {
    const theirs = [...new Set(requests.map((request) => (request.direction === 'inbound' ? request.as2_from : request.as2_to)))];
    const decideEach = (): ResolvedDecision[] => {
      const now = this.nowMs();
      return requests.map((request) => this.live.directory.decide(account, tenant, request.direction, request.as2_from, request.as2_to, now));
    };
    // an unknown partner's reason ("did you mean") reads every partner of the scope; an unknown instance's, the instances
    const answerable = (resolved: ResolvedDecision[]) => (resolved.every((decided) => decided.partner !== null || decided.instance === null) ? resolved : null);
    let resolved: ResolvedDecision[] | null | undefined;
    try {
      resolved = await this.live.withPartnersOf(account, theirs, () => answerable(decideEach()));
    } catch {
      // a store error bringing them in: the refill retries its own, and the pair waits for it
      resolved = undefined;
    }
    if (!resolved) {
      await this.live.whenFilled();
      resolved = decideEach();
    }
    const now = this.nowMs();
    resolved.forEach((decided, i) => this.recordBlock(decided, requests[i] as DecisionRequest, now));
    return resolved;
  }

  /**
   * The batch answer's JSON text, `{decisions, as_of}`, the very text JSON.stringify writes of the answers: each item
   * is its decision's text around its own message id, the decision's text made once per decision the directory keeps.
   */
  decideAllAsJson(account: string, tenant: string | null, requests: readonly DecisionRequest[], now = this.nowMs()): string {
    let text = '{"decisions":[';
    for (let i = 0; i < requests.length; i += 1) {
      const request = requests[i] as DecisionRequest;
      text += this.answerItemText(i, request, this.resolve(account, tenant, request, now));
    }
    return `${text}],"as_of":${this.asOfText()}}`;
  }

  /** The batch answer's `i`th item: its decision's text around its own message id, after a comma but for the first. */
  private answerItemText(i: number, request: DecisionRequest, resolved: ResolvedDecision): string {
    const parts = this.answerTextOf(resolved);
    return (i === 0 ? parts.head : `,${parts.head}`) + JSON.stringify(request.message_id) + parts.tail;
  }

  private resolve(account: string, tenant: string | null, request: DecisionRequest, now: number): ResolvedDecision {
    const resolved = this.live.directory.decide(account, tenant, request.direction, request.as2_from, request.as2_to, now);
    this.recordBlock(resolved, request, now);
    return resolved;
  }

  /** Every block is recorded, also one answered from the directory's kept decision of its pair. */
  private recordBlock(resolved: ResolvedDecision, request: DecisionRequest, now: number): void {
    if (resolved.decision === 'block') this.blocks.record(resolved, request, now);
  }

  /** A decision's answer text before and after its message id (kept as long as the directory keeps the decision). */
  private readonly answerTexts = new WeakMap<ResolvedDecision, AnswerText>();

  private answerTextOf(resolved: ResolvedDecision): AnswerText {
    let parts = this.answerTexts.get(resolved);
    if (parts === undefined) {
      // Outside string values JSON has no unescaped quote: the one `"message_id":""` of the text is the key itself.
      const text = JSON.stringify(answerOf(resolved, { message_id: '' }));
      const at = text.indexOf(EMPTY_MESSAGE_ID);
      parts = { head: text.slice(0, at + EMPTY_MESSAGE_ID.length - 2), tail: text.slice(at + EMPTY_MESSAGE_ID.length) };
      this.answerTexts.set(resolved, parts);
    }
    return parts;
  }

  private asOfTextFrom: object | null = null;
  private asOfTextValue = '';

  private asOfText(): string {
    const asOf = this.asOf();
    if (asOf !== this.asOfTextFrom) {
      this.asOfTextFrom = asOf;
      this.asOfTextValue = JSON.stringify(asOf);
    }
    return this.asOfTextValue;
  }
}

interface AnswerText {
  readonly head: string;
  readonly tail: string;
}

const EMPTY_MESSAGE_ID = '"message_id":""';

/** Every field in one literal, in one order: each answer has the same hidden class (the serializer skips the undefined). */
function answerOf(resolved: ResolvedDecision, request: Pick<DecisionRequest, 'message_id'>): DecisionAnswer {
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
