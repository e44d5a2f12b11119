import { commandEntityId, timeOrderedUuid } from '@as2-partners/kernel';
import { encodeTime } from 'ulid';

describe('commandEntityId', () => {
  it('names the same entity for the same command, another for another command or kind, in the shape of a ULID id', () => {
    const id = commandEntityId('prt', 'acc/ten/key-1#3f1c');
    expect(id).toBe(commandEntityId('prt', 'acc/ten/key-1#3f1c'));
    expect(id).toMatch(/^prt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(commandEntityId('prt', 'acc/ten/key-2#3f1c')).not.toBe(id);
    expect(commandEntityId('crt', 'acc/ten/key-1#3f1c').slice(4)).not.toBe(id.slice(4));
  });

  it('keeps the first character within a ULID time part for many commands', () => {
    for (let i = 0; i < 500; i += 1) expect(commandEntityId('x', `c-${i}`)).toMatch(/^x_[0-7]/);
  });

  it('keeps the time of a time-ordered command id, so idempotent creates sort by creation time like the others', () => {
    const earlier = Date.parse('2026-11-30T10:00:00.000Z');
    const ids = [earlier, earlier + 1, earlier + 60_000, earlier + 86_400_000].map((ms) => commandEntityId('ins', timeOrderedUuid(ms)));
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0].slice(4, 14)).toBe(encodeTime(earlier, 10));
    const command = timeOrderedUuid(earlier);
    expect(commandEntityId('ins', command)).toBe(commandEntityId('ins', command));
    expect(commandEntityId('ins', command)).toMatch(/^ins_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  });

  it('names what it named before for the random command id of a claim an earlier version made', () => {
    // A retry after the upgrade must find the entity its first attempt stored.
    expect(commandEntityId('ins', '3b241101-e2bb-4255-8caf-4136c566a962')).toBe('ins_3KMJHBQJZH8HTCYS3SA4SNYKWE');
  });
});
