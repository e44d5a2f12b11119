import { pagesOf, tenantLevelsFilter, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import type { SlotName } from '@as2-partners/certificate-lifecycle-domain';
import { CertificateLifecycleCollections, type CertificateViewDocument, type SlotUseEntry } from './certificate-view.document';

/** The entry saying the uses were moved out of the certificates (files written before they were kept have none). */
const FILLED = '$filled';
type FilledMarker = { readonly _id: typeof FILLED };
const FILL_CHUNK = 500;

/** One partner's part in one certificate: whether it lists the certificate (`partner_ids`) and the slots it holds it in. */
export interface CertificateUseDocument {
  /** `${certificateId}/${partnerId}`. */
  readonly _id: string;
  readonly certificateId: string;
  readonly partnerId: string;
  /** The partner's tenant; null: a master partner of the account. */
  readonly tenant: string | null;
  /** Where the partner stands in the certificate's `partner_ids` (the position that added it); null: not among them. */
  readonly listedAt: number | null;
  readonly roles: readonly { readonly slot: SlotName; readonly role: SlotUseEntry['role'] }[];
  /** Where its roles stand in the certificate's `used_by` (the position that last wrote them). */
  readonly usedAt: number;
  /** Whether it holds the certificate in a slot: a certificate in use by anyone is one look-up. */
  readonly used: boolean;
}

/** The uses of a certificate one caller reads, in the order the certificate's view kept them. */
export interface CertificateUses {
  readonly partnerIds: readonly string[];
  readonly usedBy: readonly SlotUseEntry[];
}

/** A certificate view stored before its uses were kept apart. */
type StoredWithUses = CertificateViewDocument & { readonly partnerIds?: readonly string[]; readonly usedBy?: readonly SlotUseEntry[] };

export function certificateUseIdOf(certificateId: string, partnerId: string): string {
  return `${certificateId}/${partnerId}`;
}

/** The uses in the order of the certificate's view: partners as they were added, roles as they were last written. */
export function usesOf(entries: readonly CertificateUseDocument[]): CertificateUses {
  const inOrder = (at: (entry: CertificateUseDocument) => number) => (a: CertificateUseDocument, b: CertificateUseDocument) =>
    at(a) - at(b) || (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0);
  const listed = entries.filter((entry) => entry.listedAt !== null).sort(inOrder((entry) => entry.listedAt as number));
  const used = entries.filter((entry) => entry.roles.length > 0).sort(inOrder((entry) => entry.usedAt));
  return {
    partnerIds: listed.map((entry) => entry.partnerId),
    usedBy: used.flatMap((entry) => entry.roles.map((r) => ({ partnerId: entry.partnerId, slot: r.slot, role: r.role }))),
  };
}

/**
 * Each certificate's partners, one entry a (certificate, partner) under the partner's tenant: a tenant reads the uses
 * of an account certificate as two index ranges (its own partners', the master partners'), whatever other tenants'
 * partners link to it; the certificate's view no longer carries them all. An account-level caller reads the range of
 * the certificate, every tenant's, as the view listed them.
 */
export class CertificateUseEntries {
  readonly collection: ReadModelCollection<CertificateUseDocument | FilledMarker>;

  constructor(readModels: ReadModelStore) {
    this.collection = readModels.collection(CertificateLifecycleCollections.certificateUses, [
      ['certificateId', 'tenant', '_id'],
      ['certificateId', 'used'],
    ]);
  }

  /** The certificate's uses a caller of this tenant reads (null: an account-level caller, who reads every tenant's). */
  async seenBy(certificateId: string, tenant: string | null): Promise<CertificateUses> {
    const filter = tenant === null ? { certificateId } : { certificateId, ...tenantLevelsFilter([tenant, null]) };
    return usesOf((await this.collection.find({ filter, withoutTotal: true })).items as CertificateUseDocument[]);
  }

  /** Every partner's entry of the certificate, every tenant's (the write side's in-use rules, a certificate's own changes). */
  async allOf(certificateId: string): Promise<CertificateUseDocument[]> {
    return (await this.collection.find({ filter: { certificateId }, withoutTotal: true })).items as CertificateUseDocument[];
  }

  /** Whether any partner, of any tenant, holds the certificate in a slot. */
  async inUse(certificateId: string): Promise<boolean> {
    return (await this.collection.find({ filter: { certificateId, used: true }, limit: 1, withoutTotal: true })).items.length > 0;
  }

  async get(certificateId: string, partnerId: string): Promise<CertificateUseDocument | null> {
    return (await this.collection.get(certificateUseIdOf(certificateId, partnerId))) as CertificateUseDocument | null;
  }

  /** A partner's entry as it is now: gone once it neither lists the certificate nor holds it. */
  async written(entry: CertificateUseDocument): Promise<void> {
    if (entry.listedAt === null && entry.roles.length === 0) await this.collection.delete(entry._id);
    else await this.collection.put(entry);
  }

  async deleted(certificateId: string): Promise<void> {
    await this.collection.deleteMany({ certificateId });
  }

  /**
   * Once, for a file written before the uses were kept apart: each certificate's `partnerIds` and `usedBy` become its
   * entries (positions below any event's, in the view's order), then the certificate is written without them. A start
   * after a crash in between finds the moved ones without them and the rest still with them.
   */
  async fill(certificates: ReadModelCollection<CertificateViewDocument>, tenantOf: (partnerIds: readonly string[]) => Promise<Map<string, string | null>>): Promise<void> {
    if (await this.collection.get(FILLED)) return;
    for await (const page of pagesOf(certificates, FILL_CHUNK)) {
      for (const doc of page as StoredWithUses[]) {
        if (doc.partnerIds === undefined && doc.usedBy === undefined) continue;
        const entries = await this.entriesOfStored(doc, tenantOf);
        if (entries.length > 0) await this.collection.putMany(entries);
        const { partnerIds: _listed, usedBy: _used, ...rest } = doc;
        await certificates.put(rest);
      }
    }
    await this.markFilled();
  }

  /** Emptied for a rebuild, which writes them as the events come: marked filled, no fill at the next start. */
  async clear(): Promise<void> {
    await this.collection.clear();
    await this.markFilled();
  }

  private async entriesOfStored(doc: StoredWithUses, tenantOf: (partnerIds: readonly string[]) => Promise<Map<string, string | null>>): Promise<CertificateUseDocument[]> {
    const partnerIds = doc.partnerIds ?? [];
    const usedBy = doc.usedBy ?? [];
    const ids = [...new Set([...partnerIds, ...usedBy.map((u) => u.partnerId)])];
    const tenants = await tenantOf(ids);
    const listedAt = new Map(partnerIds.map((partnerId, i) => [partnerId, i - partnerIds.length] as const));
    // the last of a partner's roles in used_by orders them (a partner's roles are written together, at the end)
    const usedAt = new Map(usedBy.map((u, i) => [u.partnerId, i - usedBy.length] as const));
    const roles = new Map<string, { slot: SlotName; role: SlotUseEntry['role'] }[]>();
    for (const u of usedBy) roles.set(u.partnerId, [...(roles.get(u.partnerId) ?? []), { slot: u.slot, role: u.role }]);
    return ids.map((partnerId) => ({
      _id: certificateUseIdOf(doc._id, partnerId),
      certificateId: doc._id,
      partnerId,
      tenant: tenants.get(partnerId) ?? null,
      listedAt: listedAt.get(partnerId) ?? null,
      roles: roles.get(partnerId) ?? [],
      usedAt: usedAt.get(partnerId) ?? 0,
      used: roles.has(partnerId),
    }));
  }

  private async markFilled(): Promise<void> {
    await this.collection.put({ _id: FILLED });
  }
}
