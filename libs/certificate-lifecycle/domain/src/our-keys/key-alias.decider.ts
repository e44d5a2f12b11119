import { assertNever, DomainError, type Decider } from '@as2-partners/kernel';
import { CertificateLifecycleErrorCode } from '../certificate-lifecycle.errors';
import { assertValidAt } from '../certificate-reading';
import type { CertificateData } from '../certificate/certificate.events';
import { expiryNoticeAt } from '../certificate/expiry-thresholds';
import type { ActivationTrigger, EvidenceData } from '../partner-certificates/partner-certificates.events';
import {
  duplicateKeyAlias,
  keyInUse,
  keyNotCurrent,
  keyNotFound,
  keyOverlapNotClosed,
  keyRolloverAlreadyScheduled,
  keyRolloverPending,
  keyRolloverSameCertificate,
} from './our-key.errors';
import type { OurKeyEvent, OurKeyRole, OurKeySource, SealedKeyReference } from './our-key.events';

/** One of our keys under an alias. */
export interface OurKeyEntry {
  readonly keyId: string;
  readonly role: OurKeyRole;
  readonly source: OurKeySource;
  readonly certificate: CertificateData;
  readonly sealedKey: SealedKeyReference;
  readonly createdAt: string;
  /** A `next` key: when it becomes current. */
  readonly activateAt: string | null;
  /** A `previous` key: until when it still decrypts. */
  readonly overlapUntil: string | null;
  /** Expiry thresholds already announced (days; 0 = expired). */
  readonly noticesDone: readonly number[];
}

/** An alias of a tenant's keystore: its current key, at most one scheduled next key, the previous one and retired ones. */
export interface KeyAliasState {
  readonly keys: readonly OurKeyEntry[];
}

export interface KeyAliasScope {
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
}

/** An AS2 instance that names the alias (learned from the partner-registry's events). */
export interface InstanceUsingAlias {
  readonly instanceId: string;
  readonly myAs2Id: string;
}

export interface NewKey {
  readonly keyId: string;
  readonly source: OurKeySource;
  readonly certificate: CertificateData;
  readonly sealedKey: SealedKeyReference;
}

export type KeyAliasCommand =
  | (KeyAliasScope & { readonly type: 'create'; readonly key: NewKey; readonly now: string })
  | (KeyAliasScope & {
      readonly type: 'schedule_rollover';
      readonly currentKeyId: string;
      readonly key: NewKey;
      readonly activateAt: string;
      readonly overlapUntil: string;
      readonly now: string;
    })
  /** `evidence`: the stamped proof of this activation at `now` (made for the rollover `dueKeyRolloverOf` finds then). */
  | (KeyAliasScope & { readonly type: 'activate_due_rollover'; readonly trigger: ActivationTrigger; readonly now: string; readonly evidence?: EvidenceData })
  /** The previous key's overlap is over: it is retired (decrypts nothing), once. */
  | (KeyAliasScope & { readonly type: 'retire_after_overlap'; readonly trigger: ActivationTrigger; readonly now: string })
  /** `instances`: the first of the alias's users, `instancesTotal` (when they are not all named) how many there are. */
  | (KeyAliasScope & { readonly type: 'delete'; readonly keyId: string; readonly instances: readonly InstanceUsingAlias[]; readonly instancesTotal?: number; readonly now: string })
  /** The tenant was deleted: every key of the alias goes, whoever named it (the tenant's instances are gone with it). */
  | (KeyAliasScope & { readonly type: 'shred_for_deleted_tenant'; readonly now: string })
  | (KeyAliasScope & { readonly type: 'evaluate_expiry'; readonly now: string });

const ms = (iso: string) => new Date(iso).getTime();

export const roleOf = (state: KeyAliasState, role: OurKeyRole) => state.keys.find((key) => key.role === role) ?? null;

/** The key that signs for the alias now (null: none). */
export function signingKeyOf(state: KeyAliasState): OurKeyEntry | null {
  return roleOf(state, 'current');
}

/** The keys that decrypt for the alias at `now`: the current key, then the previous one while its overlap lasts. */
export function decryptionKeysOf(state: KeyAliasState, now: Date): OurKeyEntry[] {
  const previous = roleOf(state, 'previous');
  const live = previous && previous.overlapUntil !== null && ms(previous.overlapUntil) > now.getTime() ? [previous] : [];
  return [...(signingKeyOf(state) ? [signingKeyOf(state) as OurKeyEntry] : []), ...live];
}

/** The rollover due at `now` (ISO): the next key whose `activate_at` has come and the current key it replaces, or null. */
export function dueKeyRolloverOf(state: KeyAliasState, now: string): { readonly next: OurKeyEntry & { readonly activateAt: string; readonly overlapUntil: string }; readonly current: OurKeyEntry } | null {
  const next = roleOf(state, 'next');
  if (!next || next.activateAt === null || next.overlapUntil === null || ms(next.activateAt) > ms(now)) return null;
  const current = roleOf(state, 'current');
  return current ? { next: next as OurKeyEntry & { readonly activateAt: string; readonly overlapUntil: string }, current } : null;
}

function scopeOf(command: KeyAliasScope): KeyAliasScope {
  return { account: command.account, tenant: command.tenant, alias: command.alias };
}

/**
 * What a rollover of `currentKeyId` over this window needs whatever the next key: the current key, no rollover already
 * scheduled, a window to come in order, the previous overlap closed by its start. Checked before a key pair is generated
 * for a rollover that would be refused anyway, and by the decider under the stream's revision; answers the current key.
 */
export function assertKeyRolloverSchedulable(state: KeyAliasState, currentKeyId: string, activateAt: string, overlapUntil: string, now: string): OurKeyEntry {
  const current = state.keys.find((k) => k.keyId === currentKeyId);
  if (!current) throw keyNotFound(currentKeyId);
  if (current.role !== 'current') throw keyNotCurrent(currentKeyId);
  const pending = roleOf(state, 'next');
  if (pending) throw keyRolloverAlreadyScheduled(pending.keyId);
  if (!(ms(now) < ms(activateAt))) {
    throw new DomainError(CertificateLifecycleErrorCode.RolloverWindowInvalid, 'activate_at must be in the future', 'activate_at', { activate_at: activateAt, now });
  }
  // Activating retires the previous key: never before the overlap partners were promised ends.
  const previous = roleOf(state, 'previous');
  if (previous?.overlapUntil && ms(activateAt) < ms(previous.overlapUntil)) throw keyOverlapNotClosed(previous.keyId, previous.overlapUntil, activateAt);
  if (!(ms(activateAt) <= ms(overlapUntil))) {
    throw new DomainError(CertificateLifecycleErrorCode.RolloverWindowInvalid, 'overlap_until must not be before activate_at', 'overlap_until', {
      activate_at: activateAt,
      overlap_until: overlapUntil,
    });
  }
  return current;
}

/**
 * The next key's certificate is valid over the whole window, as a partner's next certificate must be: from its
 * activation to the overlap's end. Checked by the decider, and before a key pair is generated whose validity is known.
 */
export function assertNextKeyCoversWindow(certificate: { readonly notBefore: string; readonly notAfter: string }, activateAt: string, overlapUntil: string): void {
  const { notBefore, notAfter } = certificate;
  if (ms(notBefore) > ms(activateAt) || ms(notAfter) <= ms(overlapUntil)) {
    throw new DomainError(
      CertificateLifecycleErrorCode.CertificateNotValidForWindow,
      `The next key's certificate is valid from ${notBefore} to ${notAfter}, which does not cover ${activateAt} to ${overlapUntil}`,
      ms(notBefore) > ms(activateAt) ? 'activate_at' : 'overlap_until',
      { not_before: notBefore, expires_at: notAfter, window_start: activateAt, window_end: overlapUntil },
    );
  }
}

function decide(command: KeyAliasCommand, state: KeyAliasState): OurKeyEvent[] {
  const scope = scopeOf(command);
  switch (command.type) {
    case 'create': {
      if (state.keys.some((key) => key.keyId === command.key.keyId)) return [];
      if (state.keys.length > 0) throw duplicateKeyAlias(command.alias);
      // A new alias's key is current at once: a certificate not valid now (expired, or valid from a later date) would
      // have it sign what every partner refuses. A key valid later is an alias's next key (a rollover), its window covered.
      assertValidAt(command.key.certificate, new Date(command.now), command.key.source === 'pkcs12' ? 'pkcs12' : 'certificate');
      return [{ type: 'key.created.v1', data: { ...scope, ...command.key, role: 'current', createdAt: command.now } }];
    }
    case 'schedule_rollover': {
      const { key, activateAt, overlapUntil, now } = command;
      if (state.keys.some((k) => k.keyId === key.keyId)) return [];
      const current = assertKeyRolloverSchedulable(state, command.currentKeyId, activateAt, overlapUntil, now);
      // The same certificate again (an old file uploaded by mistake) would schedule a rollover that changes nothing; a
      // renewed certificate of the same key pair is a new certificate, and rolls over.
      if (key.certificate.fingerprintSha256 === current.certificate.fingerprintSha256) throw keyRolloverSameCertificate(current.keyId, key.source);
      assertNextKeyCoversWindow(key.certificate, activateAt, overlapUntil);
      return [
        { type: 'key.created.v1', data: { ...scope, ...key, role: 'next', createdAt: now } },
        { type: 'key.rollover_scheduled.v1', data: { ...scope, currentKeyId: current.keyId, nextKeyId: key.keyId, activateAt, overlapUntil, scheduledAt: now } },
      ];
    }
    case 'activate_due_rollover': {
      const due = dueKeyRolloverOf(state, command.now);
      // Nothing due (or already activated by another replica): nothing to do, so the activation happens once.
      if (!due) return [];
      const { next, current } = due;
      const previous = roleOf(state, 'previous');
      return [
        {
          type: 'key.rollover_activated.v1',
          data: {
            ...scope,
            previousKeyId: current.keyId,
            keyId: next.keyId,
            previousFingerprintSha256: current.certificate.fingerprintSha256,
            fingerprintSha256: next.certificate.fingerprintSha256,
            scheduledFor: next.activateAt,
            activatedAt: command.now,
            overlapUntil: next.overlapUntil,
            lateByMs: Math.max(0, ms(command.now) - ms(next.activateAt)),
            trigger: command.trigger,
            retiredKeyId: previous?.keyId ?? null,
            evidence: command.evidence ?? null,
          },
        },
      ];
    }
    case 'retire_after_overlap': {
      const previous = roleOf(state, 'previous');
      // Nothing ended yet (or another replica retired it already): nothing to do, so the retirement happens once.
      if (!previous || previous.overlapUntil === null || ms(previous.overlapUntil) > ms(command.now)) return [];
      return [
        {
          type: 'key.retired.v1',
          data: {
            ...scope,
            keyId: previous.keyId,
            fingerprintSha256: previous.certificate.fingerprintSha256,
            overlapUntil: previous.overlapUntil,
            retiredAt: command.now,
            lateByMs: Math.max(0, ms(command.now) - ms(previous.overlapUntil)),
            trigger: command.trigger,
          },
        },
      ];
    }
    case 'delete': {
      const key = state.keys.find((k) => k.keyId === command.keyId);
      if (!key) throw keyNotFound(command.keyId);
      if (key.role === 'current') {
        const next = roleOf(state, 'next');
        if (next) throw keyRolloverPending(key.keyId, next.keyId);
      }
      const decrypting = key.role === 'current' || (key.role === 'previous' && key.overlapUntil !== null && ms(key.overlapUntil) > ms(command.now));
      const users = command.instancesTotal ?? command.instances.length;
      if (decrypting && users > 0) throw keyInUse(key.keyId, command.alias, command.instances, users);
      return [
        {
          type: 'key.deleted.v1',
          data: { ...scope, keyId: key.keyId, role: key.role, rolloverCancelled: key.role === 'next', reason: 'requested', sealedKey: key.sealedKey, deletedAt: command.now },
        },
      ];
    }
    case 'shred_for_deleted_tenant':
      return state.keys.map((key) => ({
        type: 'key.deleted.v1' as const,
        data: { ...scope, keyId: key.keyId, role: key.role, rolloverCancelled: key.role === 'next', reason: 'tenant_deleted' as const, sealedKey: key.sealedKey, deletedAt: command.now },
      }));
    case 'evaluate_expiry': {
      const events: OurKeyEvent[] = [];
      for (const key of state.keys) {
        if (key.role === 'retired') continue;
        const notice = expiryNoticeAt(key.certificate.notAfter, new Date(command.now));
        if (notice === null) continue;
        const facts = { ...scope, keyId: key.keyId, notAfter: key.certificate.notAfter, fingerprintSha256: key.certificate.fingerprintSha256, evaluatedAt: command.now };
        if (notice.kind === 'expired') {
          if (!key.noticesDone.includes(0)) events.push({ type: 'key.expired.v1', data: facts });
        } else if (!key.noticesDone.some((done) => done <= notice.thresholdDays)) {
          events.push({ type: 'key.expiring.v1', data: { ...facts, thresholdDays: notice.thresholdDays, daysLeft: notice.daysLeft } });
        }
      }
      return events;
    }
    default:
      return assertNever(command);
  }
}

function withKey(state: KeyAliasState, keyId: string, change: (key: OurKeyEntry) => OurKeyEntry | null): KeyAliasState {
  return { keys: state.keys.flatMap((key) => (key.keyId === keyId ? [change(key)].filter((k): k is OurKeyEntry => k !== null) : [key])) };
}

function evolve(state: KeyAliasState, event: OurKeyEvent): KeyAliasState {
  switch (event.type) {
    case 'key.created.v1': {
      const { keyId, role, source, certificate, sealedKey, createdAt } = event.data;
      return { keys: [...state.keys, { keyId, role, source, certificate, sealedKey, createdAt, activateAt: null, overlapUntil: null, noticesDone: [] }] };
    }
    case 'key.rollover_scheduled.v1':
      return withKey(state, event.data.nextKeyId, (key) => ({ ...key, activateAt: event.data.activateAt, overlapUntil: event.data.overlapUntil }));
    case 'key.rollover_activated.v1': {
      const { keyId, previousKeyId, retiredKeyId, overlapUntil } = event.data;
      return {
        keys: state.keys.map((key) => {
          if (key.keyId === keyId) return { ...key, role: 'current', overlapUntil: null };
          if (key.keyId === previousKeyId) return { ...key, role: 'previous', overlapUntil };
          if (key.keyId === retiredKeyId) return { ...key, role: 'retired', overlapUntil: null };
          return key;
        }),
      };
    }
    case 'key.retired.v1':
      return withKey(state, event.data.keyId, (key) => ({ ...key, role: 'retired', overlapUntil: null }));
    case 'key.deleted.v1':
      return withKey(state, event.data.keyId, () => null);
    case 'key.expiring.v1':
      return withKey(state, event.data.keyId, (key) => ({ ...key, noticesDone: [...key.noticesDone, event.data.thresholdDays] }));
    case 'key.expired.v1':
      return withKey(state, event.data.keyId, (key) => ({ ...key, noticesDone: [...key.noticesDone, 0] }));
    default:
      return assertNever(event);
  }
}

export const keyAliasDecider: Decider<KeyAliasCommand, KeyAliasState, OurKeyEvent> = {
  initialState: () => ({ keys: [] }),
  decide,
  evolve,
};
