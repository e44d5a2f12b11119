import { deciderSpecification } from '@as2-partners/kernel-testing';
import { duplicateMyAs2Id } from '../partner-registry.errors';
import { uniqueKeyDirectoryDecider } from './unique-key-directory.decider';
import type { UniqueKeyReserved } from './unique-key-directory.events';

const spec = deciderSpecification(uniqueKeyDirectoryDecider(duplicateMyAs2Id));
const T0 = '2026-11-30T10:00:00.000Z';
const T1 = '2026-11-30T10:01:00.000Z';
const reserved = (key: string, holderId: string, at = T0): UniqueKeyReserved => ({ type: 'unique_key_directory.key_reserved.v1', data: { key, holderId, reservedAt: at } });
const reserve = (key: string, holderId: string, staleHolders: string[] = []) => ({ type: 'reserve_key' as const, key, holderId, staleHolders, now: T1 });

describe('unique key directory decider', () => {
  it('reserves a free key; the same holder again is a no-op', () => {
    spec([]).when(reserve('mycompany', 'ins_1')).then([reserved('mycompany', 'ins_1', T1)]);
    spec([reserved('mycompany', 'ins_1')]).when(reserve('mycompany', 'ins_1')).thenNothing();
  });

  it("refuses a held key with the scope's own code", () => {
    spec([reserved('mycompany', 'ins_1')]).when(reserve('mycompany', 'ins_2')).thenError('DUPLICATE_MY_AS2_ID', { field: 'my_as2_id' });
  });

  it('releases a stale holder first, then reserves', () => {
    spec([reserved('mycompany', 'ins_1')])
      .when(reserve('mycompany', 'ins_2', ['ins_1']))
      .then([
        { type: 'unique_key_directory.key_released.v1', data: { key: 'mycompany', holderId: 'ins_1', reason: 'stale', releasedAt: T1 } },
        reserved('mycompany', 'ins_2', T1),
      ]);
  });

  it('releases one key of a holder (after a change), or all of them', () => {
    const history = [reserved('old', 'ins_1'), reserved('new', 'ins_1')];
    spec(history)
      .when({ type: 'release_key', holderId: 'ins_1', key: 'old', reason: 'changed', now: T1 })
      .then([{ type: 'unique_key_directory.key_released.v1', data: { key: 'old', holderId: 'ins_1', reason: 'changed', releasedAt: T1 } }]);
    spec(history)
      .when({ type: 'release_key', holderId: 'ins_1', reason: 'deleted', now: T1 })
      .then([
        { type: 'unique_key_directory.key_released.v1', data: { key: 'old', holderId: 'ins_1', reason: 'deleted', releasedAt: T1 } },
        { type: 'unique_key_directory.key_released.v1', data: { key: 'new', holderId: 'ins_1', reason: 'deleted', releasedAt: T1 } },
      ]);
    spec([]).when({ type: 'release_key', holderId: 'ins_9', reason: 'deleted', now: T1 }).thenNothing();
  });

  it('keeps the key a change leaves when a concurrent change back reserved it again: the late release of the first change frees nothing', () => {
    // old → new decided; a change back to old reserves it afresh (it is the holder's again, its latest).
    const changing = [reserved('old', 'ins_1'), reserved('new', 'ins_1')];
    spec(changing).when(reserve('old', 'ins_1')).then([reserved('old', 'ins_1', T1)]);
    const releaseOld = { type: 'release_key' as const, holderId: 'ins_1', key: 'old', unlessLatest: true, reason: 'changed' as const, now: T1 };
    spec([...changing, reserved('old', 'ins_1', T1)]).when(releaseOld).thenNothing();
    // Without the change back it is released, and the holder's latest key is still a no-op to reserve.
    spec(changing).when(releaseOld).then([{ type: 'unique_key_directory.key_released.v1', data: { key: 'old', holderId: 'ins_1', reason: 'changed', releasedAt: T1 } }]);
    spec(changing).when(reserve('new', 'ins_1')).thenNothing();
  });
});
