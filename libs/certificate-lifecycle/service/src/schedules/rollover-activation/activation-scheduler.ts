import { systemMetadata } from '@as2-partners/platform';
import {
  activationRefusal,
  certificateDecider,
  CertificateLifecycleErrorCode,
  CertificateLifecycleStreams,
  keyAliasDecider,
  keyRefusal,
  partnerCertificatesDecider,
  SLOT_NAMES,
  type ActivationTrigger,
  type CertificateFacts,
  type KeyAliasScope,
  type PartnerCertificatesEvent,
  type PartnerCertificatesState,
  type SlotName,
} from '@as2-partners/certificate-lifecycle-domain';
import { DomainError, PollingScheduler, type Clock, type FollowerLogger, type WriteModel } from '@as2-partners/kernel';
import { factsOf } from '../../write-model/certificate-write-model';
import type { KeyRolloverActivation } from './key-rollover-activation';
import type { PartnerScope, RolloverActivation, SigningAlgorithmOf } from './rollover-activation';

/** Where the scheduler learns which partners have an activation due (the slots view's `dueAt`). */
export interface DueActivations {
  duePartners(now: Date, limit: number): Promise<PartnerScope[]>;
}

/** Where the scheduler learns which aliases of our keystore have a next key due (the key view's `activateAt`), and which a previous key whose overlap is over (`overlapUntil`). */
export interface DueKeyRollovers {
  dueAliases(now: Date, limit: number): Promise<KeyAliasScope[]>;
  dueRetirements(now: Date, limit: number): Promise<KeyAliasScope[]>;
  /** Activates a due alias's next key, with its stamped evidence. */
  readonly activation: KeyRolloverActivation;
}

export interface ActivationSchedulerOptions {
  readonly writeModel: WriteModel;
  readonly due: DueActivations;
  readonly rollovers: RolloverActivation;
  /** Our own keys' rollovers; absent: partner activations only. */
  readonly keyRollovers?: DueKeyRollovers;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly instanceId?: string;
  readonly logger?: FollowerLogger;
  /** Called after a tick appended events, with the last position (to wait for views). */
  readonly onActivated?: (position: number) => Promise<void>;
  /** Told what each tick found due and how late each activation came (metrics). */
  readonly observer?: ActivationObserver;
  /** The partner's signing algorithm now, which a due backup's key must suit (absent: keys are not checked again). */
  readonly signingAlgorithmOf?: SigningAlgorithmOf;
}

/** The certificates of a partner's due backups, and the slots whose backup's key no longer suits the partner (with why). */
interface DueBackups {
  readonly certificates: CertificateFacts[];
  readonly keyRefused: Map<SlotName, DomainError>;
}

export interface ActivationObserver {
  due(count: number): void;
  activated(lateByMs: number): void;
}

/** The activation events' lateness (backups and rollovers record `lateByMs`). */
function latenessOf(events: readonly { readonly data?: unknown }[]): number[] {
  return events
    .map((event) => (event.data as { lateByMs?: unknown } | undefined)?.lateByMs)
    .filter((late): late is number => typeof late === 'number');
}

const BATCH = 100;

/**
 * Makes scheduled backups and rollover windows take effect at their UTC instant without any human action, our own
 * keys' next keys become current at theirs, and their previous keys retire when their overlap ends. Each activation is decided on the partner's (or the alias's) stream with
 * its expected revision, so it happens exactly once even with
 * several replicas ticking at the same instant; after downtime the first tick activates what is overdue and records
 * how late (`lateByMs`).
 */
export class ActivationScheduler extends PollingScheduler {
  constructor(private readonly options: ActivationSchedulerOptions) {
    super(options, { prefix: 'scheduler', label: 'Scheduler' });
  }

  /** One pass over what is due now; returns how many activations this instance appended. */
  override async tick(): Promise<number> {
    const now = this.options.clock.now();
    const trigger: ActivationTrigger = { type: 'scheduler', actor: this.instanceId };
    const actor = { type: 'system' as const, id: this.instanceId };
    let activated = 0;
    let last: number | null = null;
    const due = await this.options.due.duePartners(now, BATCH);
    this.options.observer?.due(due.length);
    for (const partner of due) {
      try {
        let dueBackups: DueBackups = { certificates: [], keyRefused: new Map() };
        const backups = await this.options.writeModel.decide(CertificateLifecycleStreams.partnerCertificates(partner.partnerId),
          partnerCertificatesDecider,
          async (state) => {
            const at = this.options.clock.now().toISOString();
            dueBackups = await this.dueBackups(partner.partnerId, state, at);
            const keyRefusedSlots = [...dueBackups.keyRefused.keys()];
            return { type: 'activate_due_backups' as const, ...partner, trigger, backupCertificates: dueBackups.certificates, keyRefusedSlots, now: at };
          },
          systemMetadata(partner, actor, this.options.clock.now()),
        );
        activated += backups.events.filter((e) => e.type === 'partner_certificates.backup_activated.v1').length;
        last = backups.position ?? last;
        this.logCancelledBackups(partner, backups.events, dueBackups);
        for (const late of latenessOf(backups.events)) this.options.observer?.activated(late);
        if (backups.state.rollover && new Date(backups.state.rollover.activateAt).getTime() <= now.getTime()) {
          const rollover = await this.options.rollovers.activate(partner, trigger, true, (at) => systemMetadata(partner, actor, at));
          activated += rollover.events.length;
          last = rollover.position ?? last;
          for (const late of latenessOf(rollover.events)) this.options.observer?.activated(late);
        }
      } catch (error) {
        // A rollover whose TSA is down stays due: the next tick tries again and the event records how late it was.
        const detail = error instanceof DomainError ? `${error.code}: ${error.message}` : String(error);
        this.options.logger?.error('Scheduled activation failed; retrying on the next tick', { partnerId: partner.partnerId, error: detail });
      }
    }
    const keyRollovers = this.options.keyRollovers;
    // Each change is decided on the alias's stream with its expected revision: it finds nothing due once another
    // replica (or an earlier tick) made it, so it happens exactly once.
    const keyChanges = keyRollovers
      ? [
          {
            due: await keyRollovers.dueAliases(now, BATCH),
            failure: 'Scheduled key rollover failed; retrying on the next tick',
            change: (alias: KeyAliasScope) => keyRollovers.activation.activate(alias, trigger, (at) => systemMetadata(alias, actor, at)),
          },
          {
            due: await keyRollovers.dueRetirements(now, BATCH),
            failure: 'Retiring a key after its overlap failed; retrying on the next tick',
            change: (alias: KeyAliasScope) =>
              this.options.writeModel.decide(
                CertificateLifecycleStreams.keyAlias(alias.account, alias.tenant, alias.alias),
                keyAliasDecider,
                () => ({ type: 'retire_after_overlap' as const, ...alias, trigger, now: this.options.clock.now().toISOString() }),
                systemMetadata(alias, actor, this.options.clock.now()),
              ),
          },
        ]
      : [];
    for (const { due: aliases, failure, change } of keyChanges) {
      for (const alias of aliases) {
        try {
          const decision = await change(alias);
          activated += decision.events.length;
          last = decision.position ?? last;
        } catch (error) {
          const detail = error instanceof DomainError ? `${error.code}: ${error.message}` : String(error);
          this.options.logger?.error(failure, { alias: alias.alias, error: detail });
        }
      }
    }
    if (last !== null) await this.options.onActivated?.(last);
    return activated;
  }

  /**
   * The certificates of the backups due at `at`, as the store holds them now (a deleted one is left out: the decider
   * cancels its backup), and the due slots whose certificate's key no longer suits the partner's signing algorithm.
   */
  private async dueBackups(partnerId: string, state: PartnerCertificatesState, at: string): Promise<DueBackups> {
    const due = SLOT_NAMES.flatMap((slot) => {
      const backup = state[slot].backup;
      return backup && new Date(backup.activateOn).getTime() <= new Date(at).getTime() ? [{ slot, certificateId: backup.certificateId }] : [];
    });
    const stored = new Map(
      (
        await Promise.all(
          [...new Set(due.map((backup) => backup.certificateId))].map(async (certificateId) => {
            const { state: certificate } = await this.options.writeModel.load(CertificateLifecycleStreams.certificate(certificateId), certificateDecider);
            return certificate.status === 'stored' ? [[certificateId, certificate] as const] : [];
          }),
        )
      ).flat(),
    );
    const keyRefused = new Map<SlotName, DomainError>();
    const signAlgorithm = due.length > 0 ? await this.options.signingAlgorithmOf?.(partnerId) : undefined;
    if (signAlgorithm !== undefined) {
      for (const { slot, certificateId } of due) {
        const certificate = stored.get(certificateId);
        const refusal = certificate ? keyRefusal(certificate.record.certificate, [slot], signAlgorithm) : null;
        if (refusal) keyRefused.set(slot, refusal);
      }
    }
    return { certificates: [...stored.values()].map((certificate) => factsOf(certificate)), keyRefused };
  }

  /** `backup_cancelled.v1` carries no reason, so the log says why the scheduler cancelled a backup instead of activating it. */
  private logCancelledBackups(partner: PartnerScope, events: readonly PartnerCertificatesEvent[], due: DueBackups): void {
    for (const event of events) {
      if (event.type !== 'partner_certificates.backup_cancelled.v1') continue;
      const certificate = due.certificates.find((c) => c.certificateId === event.data.certificateId);
      const refusal = (certificate ? activationRefusal(certificate, event.data.cancelledAt) : null) ?? due.keyRefused.get(event.data.slot) ?? null;
      this.options.logger?.warn('Scheduled backup cancelled: its certificate can no longer become current', {
        partnerId: partner.partnerId,
        slot: event.data.slot,
        certificateId: event.data.certificateId,
        reason: refusal ? `${refusal.code}: ${refusal.message}` : `${CertificateLifecycleErrorCode.CertificateNotFound}: not in the store`,
      });
    }
  }
}
