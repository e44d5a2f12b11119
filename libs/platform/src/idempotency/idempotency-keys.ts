import { randomUUID } from 'node:crypto';
import { timeOrderedUuid, type Clock, type ReadModelCollection } from '@as2-partners/kernel';

/** One Idempotency-Key of one tenant: claimed while its request runs, then the first answer, kept until `expiresAt`. */
/** Where the claims and answers are kept (distributed: in the database the deployment's services share). */
export const IDEMPOTENCY_KEYS_COLLECTION = 'platform_idempotency_keys';

export interface IdempotencyRecord {
  /** `<account>/<tenant or ->/<key>`: a key is scoped to its tenant. */
  readonly _id: string;
  /** SHA-256 of method, path, caller and body: the same key with another request is refused. */
  readonly fingerprint: string;
  readonly state: 'pending' | 'done';
  /**
   * A pending claim's holder renews this while its request runs; once past, the holder is gone (a crash) and a retry
   * takes the key over.
   */
  readonly leaseUntil: string;
  /** The claim's holder (one request in one process): only it renews the lease. Absent on records of older releases. */
  readonly holder?: string;
  /**
   * The write model's command id of the request, kept when a retry takes over a dead holder's claim: the retry then
   * names the same entities and finds the events the first attempt stored. Absent on records of older releases.
   */
  readonly commandId?: string;
  readonly expiresAt: string;
  readonly status?: number;
  readonly contentType?: string;
  readonly body?: string;
}

/** What a request with an Idempotency-Key does. */
export type IdempotencyClaim =
  | { readonly outcome: 'claimed'; readonly commandId: string }
  | { readonly outcome: 'replay'; readonly status: number; readonly contentType: string | undefined; readonly body: string }
  | { readonly outcome: 'in_progress' }
  | { readonly outcome: 'reused' };

export interface IdempotencyKeysOptions {
  readonly ttlMs: number;
  /** How long a claim holds without being renewed before another request may take the key over; renewed every third of it. */
  readonly leaseMs: number;
  readonly clock: Clock;
  /**
   * Resolves once the records' writes so far are on disk (a store that commits in groups, ReadModelStore.committed;
   * absent where a write is durable when it resolves): a claim is on disk before its request runs, so a crash cannot
   * lose the command id a retry must go on with.
   */
  readonly committed?: () => Promise<void>;
}

const PURGE_EVERY_MS = 10 * 60_000;
/** Expired keys deleted in one turn of the event loop (a kept answer may be tens of KB: a slice is parsed once). */
const PURGE_SLICE = 100;

/** A scope part with its `%` and `/` escaped, so that it ends where the next `/` is. */
function escapedPart(part: string): string {
  return part.replace(/[%/]/g, (character) => (character === '%' ? '%25' : '%2F'));
}

/**
 * Idempotency-Keys kept in the read-model database (SQLite embedded, MongoDB distributed: durable across restarts).
 * A key is claimed atomically (`insert`), so of concurrent duplicates only one runs; the first answer is stored and
 * replayed for the key's lifetime; expired entries are purged now and then. A claim's lease is renewed while its
 * request runs, so a claim left by a process that died frees its key within one lease, not a request timeout.
 */
export class IdempotencyKeys {
  private lastPurge = 0;

  /** The claims this process holds, by id: their leases are renewed until their answer is recorded. */
  private readonly held = new Map<string, IdempotencyRecord>();

  private renewal: NodeJS.Timeout | null = null;

  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly records: ReadModelCollection<IdempotencyRecord>,
    private readonly options: IdempotencyKeysOptions,
  ) {}

  /**
   * The record's id: one per scope and key, so that no scope's parts spell another's. The key is the last part, whatever it
   * holds; the account's and the tenant's own `/` and `%` are escaped (a token's claims are its identity provider's), and
   * a tenant named `-` is told from the account level's `-`. Ids of the usual accounts and tenants are those kept before.
   */
  static idOf(account: string, tenant: string | null, key: string): string {
    const scope = tenant === null ? '-' : tenant === '-' ? '%2D' : escapedPart(tenant);
    return `${escapedPart(account)}/${scope}/${key}`;
  }

  /**
   * `earlierFingerprint`: how the same request was fingerprinted before, if differently (a key kept from then matches it
   * too); asked only when a kept fingerprint is not this one.
   */
  async claim(id: string, fingerprint: string, earlierFingerprint?: () => string): Promise<IdempotencyClaim> {
    const sameRequest = (kept: string) => kept === fingerprint || (earlierFingerprint !== undefined && kept === earlierFingerprint());
    const now = this.options.clock.now();
    this.purgeNowAndThen(now);
    // Time-ordered, so the entity a create names from it (commandEntityId) sorts by creation time like any other.
    let commandId: string = timeOrderedUuid(now.getTime());
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const claim: IdempotencyRecord = {
        _id: id,
        fingerprint,
        state: 'pending',
        leaseUntil: new Date(now.getTime() + this.options.leaseMs).toISOString(),
        expiresAt: new Date(now.getTime() + this.options.ttlMs).toISOString(),
        holder: randomUUID(),
        commandId,
      };
      if (await this.records.insert(claim)) {
        // Else a crash in the commit's window loses the claim: the retry would run as a new command beside the first
        // one's effects (its AS2 id reserved: a 422 DUPLICATE_AS2_ID kept for the key's lifetime).
        await this.options.committed?.();
        this.hold(claim);
        return { outcome: 'claimed', commandId };
      }
      const existing = await this.records.get(id);
      if (!existing) continue;
      const expired = existing.expiresAt <= now.toISOString();
      const abandoned = existing.state === 'pending' && existing.leaseUntil <= now.toISOString();
      if (expired || abandoned) {
        // The same request taking over a dead holder's claim goes on as its command, so it finds what that stored.
        if (!expired && sameRequest(existing.fingerprint) && existing.commandId !== undefined) commandId = existing.commandId;
        // Whoever inserts after this delete wins the key; a concurrent taker sees its claim and waits (its own delete,
        // of the record it read, leaves the new claim alone).
        await this.deleteUnchanged(existing);
        continue;
      }
      if (!sameRequest(existing.fingerprint)) return { outcome: 'reused' };
      if (existing.state === 'pending') return { outcome: 'in_progress' };
      // Kept the earlier way (a plain hash of a body that may hold a secret): kept from now on as its retry has it.
      if (existing.fingerprint !== fingerprint) await this.records.put({ ...existing, fingerprint });
      return { outcome: 'replay', status: existing.status ?? 200, contentType: existing.contentType, body: existing.body ?? '' };
    }
    return { outcome: 'in_progress' };
  }

  async complete(id: string, fingerprint: string, answer: { status: number; contentType: string | undefined; body: string }): Promise<void> {
    const claim = await this.letGo(id);
    const now = this.options.clock.now();
    await this.records.put({
      ...(claim?.commandId === undefined ? {} : { commandId: claim.commandId }),
      _id: id,
      fingerprint,
      state: 'done',
      leaseUntil: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.options.ttlMs).toISOString(),
      status: answer.status,
      ...(answer.contentType === undefined ? {} : { contentType: answer.contentType }),
      body: answer.body,
    });
    // On disk before the answer goes out (the caller sends it after this): a crash right after it must not turn the
    // retry into a 409 "still running" until the claim's lease ends, then a second run of the command.
    await this.options.committed?.();
  }

  /**
   * The request decided nothing (a 5xx, a 429, a lost race): the key is free again at once, so the client's retry runs
   * the request again, and the same request goes on as the same command (its command id kept, as a dead holder's is):
   * a write the store took but could not confirm (503 "may have been stored") is found by the retry, not made twice.
   */
  async release(id: string): Promise<void> {
    const claim = await this.letGo(id);
    const current = await this.records.get(id);
    // Taken over meanwhile (this process stalled past its lease): the key is the taker's.
    if (current === null || current.state !== 'pending' || (claim !== undefined && current.holder !== claim.holder)) return;
    await this.records.put({ ...current, leaseUntil: this.options.clock.now().toISOString() });
  }

  /** Renews the lease of every claim this process holds (the timer's work; tests call it). */
  async renewLeases(): Promise<void> {
    const pass = this.renewing.then(() => this.renewHeld());
    this.renewing = pass.catch(() => undefined);
    return pass;
  }

  /** Stops renewing (shutdown): claims still held are left to expire, as a crash would leave them. */
  stop(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
    this.held.clear();
  }

  private hold(claim: IdempotencyRecord): void {
    this.held.set(claim._id, claim);
    if (this.renewal) return;
    this.renewal = setInterval(() => void this.renewLeases().catch(() => undefined), Math.max(1, Math.floor(this.options.leaseMs / 3)));
    this.renewal.unref();
  }

  /** No longer renewed; waits out a renewal in flight, so it cannot write `pending` over the answer recorded next. */
  private async letGo(id: string): Promise<IdempotencyRecord | undefined> {
    const claim = this.held.get(id);
    this.held.delete(id);
    if (this.held.size === 0 && this.renewal) {
      clearInterval(this.renewal);
      this.renewal = null;
    }
    await this.renewing;
    return claim;
  }

  private async renewHeld(): Promise<void> {
    const leaseUntil = new Date(this.options.clock.now().getTime() + this.options.leaseMs).toISOString();
    for (const [id, claim] of [...this.held]) {
      const current = await this.records.get(id);
      // Taken over meanwhile (this process stalled past its lease): the key is the taker's now.
      if (current?.state !== 'pending' || current.holder !== claim.holder) {
        this.held.delete(id);
        continue;
      }
      if (!this.held.has(id)) continue;
      await this.records.put({ ...claim, leaseUntil });
    }
  }

  private purgeNowAndThen(now: Date): void {
    if (now.getTime() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now.getTime();
    void this.purgeExpired(now.toISOString()).catch(() => undefined);
  }

  /**
   * Deletes the keys expired before `before`, PURGE_SLICE at a time, the event loop free between slices: one deleteMany
   * of all that expired since the last purge (a busy tenant's ten minutes, or a restart's backlog) held it for seconds.
   */
  private async purgeExpired(before: string): Promise<void> {
    for (;;) {
      const { items } = await this.records.find({ filter: { expiresAt: { $lt: before } }, sort: { expiresAt: 1 }, limit: PURGE_SLICE, withoutTotal: true });
      for (const record of items) await this.deleteUnchanged(record);
      if (items.length < PURGE_SLICE) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Deletes the record as it was read, not one written under its key since (MongoDB answers between the read and the
   * delete: a key claimed again meanwhile would lose its new claim, and its request then run twice).
   */
  private async deleteUnchanged(record: IdempotencyRecord): Promise<void> {
    await this.records.deleteMany({ _id: record._id, state: record.state, leaseUntil: record.leaseUntil, expiresAt: record.expiresAt });
  }
}
