import { commandEntityId } from '@as2-partners/kernel';

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
});
