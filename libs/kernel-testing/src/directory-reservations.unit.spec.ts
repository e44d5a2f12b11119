import { commandEntityId, DirectoryReservations, DomainError, EventStoreUnavailableError, WriteModel, type Decider, type EventMetadata, type ReservationDirectory, type StaleClaim } from '@as2-partners/kernel';
import { InMemoryEventStore } from './in-memory-event-store';

type SeatEvent =
  | { readonly type: 'seats.reserved.v1'; readonly data: { readonly holder: string; readonly at: string } }
  | { readonly type: 'seats.released.v1'; readonly data: { readonly holder: string } };
type SeatCommand = { readonly type: 'reserve'; readonly holder: string; readonly stale: readonly string[]; readonly at: string } | { readonly type: 'release'; readonly holder: string };
type Seats = ReadonlyMap<string, string>;

/** One seat: a second holder is refused unless the first is found stale; the holder's own reservation again is nothing to do. */
const seats: Decider<SeatCommand, Seats, SeatEvent> = {
  initialState: () => new Map(),
  decide: (command, state) => {
    if (command.type === 'release') return state.has(command.holder) ? [{ type: 'seats.released.v1', data: { holder: command.holder } }] : [];
    if (state.has(command.holder)) return [];
    const releases = command.stale.filter((h) => state.has(h)).map((holder) => ({ type: 'seats.released.v1' as const, data: { holder } }));
    if (state.size - releases.length >= 1) throw new DomainError('SEAT_TAKEN', 'taken');
    return [...releases, { type: 'seats.reserved.v1', data: { holder: command.holder, at: command.at } }];
  },
  evolve: (state, event) => {
    const next = new Map(state);
    if (event.type === 'seats.reserved.v1') next.set(event.data.holder, event.data.at);
    else next.delete(event.data.holder);
    return next;
  },
};

type ThingEvent = { readonly type: 'thing.created.v1'; readonly data: { readonly id: string } };
const things: Decider<{ readonly id: string; readonly valid: boolean }, 'none' | 'created', ThingEvent> = {
  initialState: () => 'none',
  decide: (command, state) => {
    if (!command.valid) throw new DomainError('INVALID_THING', 'invalid');
    if (state !== 'none') throw new Error('exists');
    return [{ type: 'thing.created.v1', data: { id: command.id } }];
  },
  evolve: () => 'created',
};

const metadata: EventMetadata = { account: 'a', tenant: 't', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-01-01T00:00:00.000Z' };
const NOW = new Date('2026-01-01T00:10:00.000Z');

describe('DirectoryReservations', () => {
  let store: InMemoryEventStore;
  let writeModel: WriteModel;
  let reservations: DirectoryReservations;
  const directory = (status: 'none' | 'active' | 'deleted' = 'active'): ReservationDirectory<SeatCommand, Seats, SeatEvent> => ({
    stream: 'seats-1',
    decider: seats,
    blockers: (state) => [...state.entries()].map(([holderId, reservedAt]) => ({ holderId, reservedAt })),
    holderStatus: async (holder) => ((await writeModel.load(`thing-${holder}`, things)).state === 'created' ? 'active' : status),
  });
  const reserve = (holder: string, at = NOW) => (stale: readonly string[]) => ({ type: 'reserve' as const, holder, stale, at: at.toISOString() });
  const create = (id: string, valid = true) => ({ stream: `thing-${id}`, decider: things, command: { id, valid } });
  const types = async (stream: string) => (await store.readStream(stream)).map((e) => e.type);

  beforeEach(() => {
    store = new InMemoryEventStore();
    writeModel = new WriteModel(store);
    reservations = new DirectoryReservations(writeModel, 60_000);
  });

  it('reserves, then creates the entity', async () => {
    const { created } = await reservations.reserveThenCreate(directory(), { reserve: reserve('x'), release: { type: 'release', holder: 'x' } }, create('x'), NOW, metadata);
    expect(created.state).toBe('created');
    expect(await types('seats-1')).toEqual(['seats.reserved.v1']);
  });

  it("creates an entity whose id was made just now (newStream) without reading its stream; one there after all releases the reservation", async () => {
    const readStream = jest.spyOn(store, 'readStream');
    const { created } = await reservations.reserveThenCreate(directory(), { reserve: reserve('x'), release: { type: 'release', holder: 'x' } }, { ...create('x'), newStream: true }, NOW, metadata);
    expect(created.state).toBe('created');
    expect(readStream.mock.calls.map(([stream]) => stream)).not.toContain('thing-x');
    expect(await types('thing-x')).toEqual(['thing.created.v1']);

    await store.append('thing-y', [{ id: '00000000-0000-4000-8000-000000000002', type: 'thing.created.v1', schemaVersion: 1, data: { id: 'y' }, metadata }], 'no_stream');
    const refused = reservations.reserveThenCreate(directory(), { reserve: reserve('y'), release: { type: 'release', holder: 'y' } }, { ...create('y'), newStream: true }, NOW, metadata);
    await expect(refused).rejects.toThrow();
    expect(await types('thing-y')).toEqual(['thing.created.v1']);
  });

  it('reserves nothing for an entity its decider refuses anyway', async () => {
    const refused = reservations.reserveThenCreate(directory(), { reserve: reserve('x'), release: { type: 'release', holder: 'x' } }, create('x', false), NOW, metadata);
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_THING' });
    expect(await types('seats-1')).toEqual([]);
  });

  it('releases the reservation when the entity cannot be appended', async () => {
    await store.append('thing-x', [{ id: '00000000-0000-4000-8000-000000000001', type: 'thing.created.v1', schemaVersion: 1, data: { id: 'x' }, metadata }], 'no_stream');
    const refused = reservations.reserveThenCreate(directory(), { reserve: reserve('x'), release: { type: 'release', holder: 'x' } }, create('x'), NOW, metadata);
    await expect(refused).rejects.toThrow();
    expect(await types('seats-1')).toEqual(['seats.reserved.v1', 'seats.released.v1']);
  });

  it('keeps the reservation when the store committed the entity but could not confirm it (maybeStored): a retry of the command finds both', async () => {
    const append = store.append.bind(store);
    jest.spyOn(store, 'append').mockImplementation(async (stream, events, expected) => {
      if (stream !== 'thing-x') return append(stream, events, expected);
      await append(stream, events, expected);
      throw new EventStoreUnavailableError('committed, not synced', true);
    });
    const unconfirmed = reservations.reserveThenCreate(directory(), { reserve: reserve('x'), release: { type: 'release', holder: 'x' } }, create('x'), NOW, metadata);
    await expect(unconfirmed).rejects.toMatchObject({ maybeStored: true });
    expect([await types('seats-1'), await types('thing-x')]).toEqual([['seats.reserved.v1'], ['thing.created.v1']]);
    // Another holder is refused the seat: the stored entity has it.
    await expect(reservations.reserveThenCreate(directory(), { reserve: reserve('y'), release: { type: 'release', holder: 'y' } }, create('y'), NOW, metadata)).rejects.toMatchObject({ code: 'SEAT_TAKEN' });
    // Not stored at all (maybeStored false): released as a refusal is.
    jest.spyOn(store, 'append').mockImplementation(async (stream, events, expected) => {
      if (stream === 'thing-z') throw new EventStoreUnavailableError('disk full', false);
      return append(stream, events, expected);
    });
    const otherSeat = { ...directory(), stream: 'seats-2' };
    await expect(reservations.reserveThenCreate(otherSeat, { reserve: reserve('z'), release: { type: 'release', holder: 'z' } }, create('z'), NOW, metadata)).rejects.toMatchObject({ maybeStored: false });
    expect(await types('seats-2')).toEqual(['seats.reserved.v1', 'seats.released.v1']);
  });

  it('releases a reservation a crash left behind once past the grace period, never a young one', async () => {
    // A holder reserved and crashed before creating its entity.
    await reservations.reserve(directory('none'), reserve('crashed', new Date(NOW.getTime() - 30_000)), NOW, metadata);
    await expect(reservations.reserve(directory('none'), reserve('y'), NOW, metadata)).rejects.toMatchObject({ code: 'SEAT_TAKEN' });
    const later = new Date(NOW.getTime() + 31_000);
    await reservations.reserve(directory('none'), reserve('y', later), later, metadata);
    expect(await types('seats-1')).toEqual(['seats.reserved.v1', 'seats.released.v1', 'seats.reserved.v1']);
  });

  it('never releases the reservation of an entity that exists', async () => {
    await reservations.reserveThenCreate(directory(), { reserve: reserve('x'), release: { type: 'release', holder: 'x' } }, create('x'), NOW, metadata);
    const later = new Date(NOW.getTime() + 3_600_000);
    await expect(reservations.reserve(directory('none'), reserve('y', later), later, metadata)).rejects.toMatchObject({ code: 'SEAT_TAKEN' });
  });

  it("releases a key a holder's change claimed and never applied (a crash between the two), once past the grace and only if the holder does not have it", async () => {
    const staleClaimsSeen: unknown[] = [];
    let holderHasIt = false;
    // The seat is held by 'renamed' only through a claim of its change c1 (made at `claimedAt`).
    const claimed = (claimedAt: Date): ReservationDirectory<SeatCommand, Seats, SeatEvent> => ({
      ...directory(),
      blockers: (state) => [...state.keys()].map((holderId) => ({ holderId, reservedAt: claimedAt.toISOString(), claim: { key: 'seat', claimIds: ['c1'] } })),
      holderHasKey: async (holderId, key) => holderId === 'renamed' && key === 'seat' && holderHasIt,
    });
    const reserveWithClaims = (holder: string) => (stale: readonly string[], staleClaims: readonly StaleClaim[]) => {
      staleClaimsSeen.push(staleClaims);
      return { type: 'reserve' as const, holder, stale: [...stale, ...staleClaims.map((c) => c.holderId)], at: NOW.toISOString() };
    };
    await reservations.reserve(directory(), reserve('renamed'), NOW, metadata);
    // Within the grace the change may still be applied: refused.
    await expect(reservations.reserve(claimed(new Date(NOW.getTime() - 30_000)), reserveWithClaims('y'), NOW, metadata)).rejects.toMatchObject({ code: 'SEAT_TAKEN' });
    // Past it, but the holder has the key on its stream (applied, not yet settled): refused.
    holderHasIt = true;
    await expect(reservations.reserve(claimed(new Date(NOW.getTime() - 61_000)), reserveWithClaims('y'), NOW, metadata)).rejects.toMatchObject({ code: 'SEAT_TAKEN' });
    expect(staleClaimsSeen.every((claims) => (claims as unknown[]).length === 0)).toBe(true);
    // Past it, and never applied: the claim is stale, and the directory's command is told which.
    holderHasIt = false;
    await reservations.reserve(claimed(new Date(NOW.getTime() - 61_000)), reserveWithClaims('y'), NOW, metadata);
    expect(staleClaimsSeen.at(-1)).toEqual([{ holderId: 'renamed', key: 'seat', claimIds: ['c1'] }]);
    expect(await types('seats-1')).toEqual(['seats.reserved.v1', 'seats.released.v1', 'seats.reserved.v1']);
  });

  it('refuses to judge a claim in the way when the directory cannot read a holder\'s key', async () => {
    await reservations.reserve(directory(), reserve('renamed'), NOW, metadata);
    const blind: ReservationDirectory<SeatCommand, Seats, SeatEvent> = {
      ...directory(),
      blockers: (state) => [...state.keys()].map((holderId) => ({ holderId, reservedAt: '2020-01-01T00:00:00.000Z', claim: { key: 'seat', claimIds: ['c1'] } })),
    };
    await expect(reservations.reserve(blind, reserve('y'), NOW, metadata)).rejects.toThrow(/cannot read a holder's key/);
  });

  describe('on a store that answers appends at commit (durable later)', () => {
    /** The in-memory store, answering the directory's appends at commit and holding their durability until told. */
    class CommitFirstStore extends InMemoryEventStore {
      readonly held: { readonly stream: string; readonly settle: (error?: Error) => void }[] = [];
      async appendCommitted(stream: string, events: Parameters<InMemoryEventStore['append']>[1], expected: Parameters<InMemoryEventStore['append']>[2]) {
        const result = await this.append(stream, events, expected);
        const durable = new Promise<void>((resolve, reject) => this.held.push({ stream, settle: (error) => (error ? reject(error) : resolve()) }));
        durable.catch(() => undefined);
        return { ...result, durable };
      }
    }
    let commitFirst: CommitFirstStore;
    const turns = async () => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    };

    beforeEach(() => {
      commitFirst = new CommitFirstStore();
      store = commitFirst;
      writeModel = new WriteModel(commitFirst);
      reservations = new DirectoryReservations(writeModel, 60_000);
    });

    it('creates the entity once the reservation is committed, and answers only once the reservation is durable', async () => {
      let answered = false;
      const creating = reservations
        .reserveThenCreate(directory(), { reserve: reserve('x'), release: { type: 'release', holder: 'x' } }, create('x'), NOW, metadata)
        .then((result) => ((answered = true), result));
      await turns();
      // The entity's append did not wait for the reservation's sync (its own commit comes later in the log).
      expect(await types('thing-x')).toEqual(['thing.created.v1']);
      expect(commitFirst.held.map((h) => h.stream)).toEqual(['seats-1']);
      expect(answered).toBe(false);
      commitFirst.held[0]?.settle();
      const { created } = await creating;
      expect(created.state).toBe('created');
    });

    it('tells the creator when its reservation could not be made durable', async () => {
      const creating = reservations.reserveThenCreate(directory(), { reserve: reserve('x'), release: { type: 'release', holder: 'x' } }, create('x'), NOW, metadata);
      await turns();
      commitFirst.held[0]?.settle(new Error('the commit could not be synced to disk'));
      await expect(creating).rejects.toThrow('could not be synced');
    });

    it('answers a plain reservation or release only once it is durable', async () => {
      let answered = false;
      const reserving = reservations.reserve(directory(), reserve('y'), NOW, metadata).then(() => (answered = true));
      await turns();
      expect(await types('seats-1')).toEqual(['seats.reserved.v1']);
      expect(answered).toBe(false);
      commitFirst.held[0]?.settle();
      await reserving;
      expect(answered).toBe(true);
    });

    it('decides the next queued reservations while the last batch is still being synced', async () => {
      const first = reservations.reserve(directory(), reserve('y'), NOW, metadata);
      await turns();
      // The seat is taken by y: z is refused without waiting for y's durability (held until after).
      await expect(reservations.reserve(directory(), reserve('z'), NOW, metadata)).rejects.toMatchObject({ code: 'SEAT_TAKEN' });
      commitFirst.held[0]?.settle();
      await first;
    });
  });

  describe('a create decided again with its command id (a retry after a crash lost the answer)', () => {
    const release = (holder: string) => ({ type: 'release' as const, holder });

    it('answers the first creation when the first attempt created the entity, appending nothing', async () => {
      const holder = commandEntityId('thg', 'cmd-1');
      const entity = { ...create(holder), commandId: 'cmd-1' };
      const first = await reservations.reserveThenCreate(directory(), { reserve: reserve(holder), release: release(holder) }, entity, NOW, metadata);
      // Another process (a fresh write model) runs the same command again.
      const restarted = new DirectoryReservations(new WriteModel(store), 60_000);
      const again = await restarted.reserveThenCreate(directory(), { reserve: reserve(holder), release: release(holder) }, entity, NOW, metadata);
      expect(again.created.events).toEqual(first.created.events);
      expect(again.created.position).toBe(first.created.position);
      expect(await types('seats-1')).toEqual(['seats.reserved.v1']);
      expect(await types(`thing-${holder}`)).toEqual(['thing.created.v1']);
    });

    it('creates the entity on its own reservation when the first attempt died between the two', async () => {
      const holder = commandEntityId('thg', 'cmd-2');
      await reservations.reserve(directory('none'), reserve(holder), NOW, metadata);
      const { created } = await reservations.reserveThenCreate(directory('none'), { reserve: reserve(holder), release: release(holder) }, { ...create(holder), commandId: 'cmd-2' }, NOW, metadata);
      expect(created.state).toBe('created');
      expect(await types('seats-1')).toEqual(['seats.reserved.v1']);
    });

    it('of two attempts racing with one command id, both answer the one creation', async () => {
      const holder = commandEntityId('thg', 'cmd-3');
      const entity = { ...create(holder), commandId: 'cmd-3' };
      const [a, b] = await Promise.all(
        [reservations, new DirectoryReservations(new WriteModel(store), 60_000)].map((r) => r.reserveThenCreate(directory(), { reserve: reserve(holder), release: release(holder) }, entity, NOW, metadata)),
      );
      expect(a!.created.position).toBe(b!.created.position);
      expect(await types(`thing-${holder}`)).toEqual(['thing.created.v1']);
    });
  });

  describe('reservations queued together', () => {
    /** Any number of seats, one per holder: a holder seated twice is refused. */
    const manySeats: Decider<SeatCommand, Seats, SeatEvent> = {
      ...seats,
      decide: (command, state) => {
        if (command.type === 'release') return state.has(command.holder) ? [{ type: 'seats.released.v1', data: { holder: command.holder } }] : [];
        if (state.has(command.holder)) throw new DomainError('SEAT_TAKEN', `${command.holder} is seated`);
        return [{ type: 'seats.reserved.v1', data: { holder: command.holder, at: command.at } }];
      },
    };
    const many = (): ReservationDirectory<SeatCommand, Seats, SeatEvent> => ({ stream: 'hall-1', decider: manySeats, blockers: () => [], holderStatus: async () => 'active' });

    it('are decided on each other\'s state and appended in one append; a refused one is left out alone', async () => {
      let appends = 0;
      const counting = Object.create(store) as InMemoryEventStore;
      counting.append = (...args) => {
        appends++;
        return store.append(...args);
      };
      const batched = new DirectoryReservations(new WriteModel(counting), 60_000);
      const holders = ['a', 'b', 'c', 'b', 'd', 'e'];
      const outcomes = await Promise.allSettled(holders.map((holder) => batched.reserve(many(), reserve(holder), NOW, metadata)));

      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'SEAT_TAKEN' });
      expect((await store.readStream('hall-1')).map((e) => (e.data as { holder: string }).holder)).toEqual(['a', 'b', 'c', 'd', 'e']);
      // The first goes alone; the rest queued behind its append and went together.
      expect(appends).toBe(2);
    });

    it('each event carries the metadata of the reservation that produced it', async () => {
      const meta = (id: string): EventMetadata => ({ ...metadata, correlationId: id });
      await Promise.all(['x', 'y', 'z'].map((holder) => reservations.reserve(many(), reserve(holder), NOW, meta(`corr-${holder}`))));
      expect((await store.readStream('hall-1')).map((e) => e.metadata.correlationId)).toEqual(['corr-x', 'corr-y', 'corr-z']);
    });
  });
});

