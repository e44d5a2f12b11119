import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeInboxName, writeToInbox } from './inbox';

describe('safeInboxName', () => {
  it.each([
    ['invoice-42.edi', 'invoice-42.edi'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['/absolute/path/order.xml', 'order.xml'],
    ['.hidden', 'hidden'],
    ['na me;rm -rf *.edi', 'na_me_rm_-rf__.edi'],
    ['abc123@pyas2.test', 'abc123_pyas2.test'],
  ])('%s becomes %s', (untrusted, expected) => {
    expect(safeInboxName(untrusted)).toBe(expected);
  });

  it.each([undefined, '', '..', '../', '...', '/'])('%p leaves nothing usable', (untrusted) => {
    expect(safeInboxName(untrusted)).toBeUndefined();
  });

  it('caps the length', () => {
    expect(safeInboxName('a'.repeat(1000))).toHaveLength(180);
  });
});

describe('writeToInbox', () => {
  let inbox: string;
  beforeEach(async () => {
    inbox = await mkdtemp(join(tmpdir(), 'inbox-'));
  });
  afterEach(() => rm(inbox, { recursive: true, force: true }));

  it('names the file by its filename, else by Message-ID, and never overwrites', async () => {
    const first = await writeToInbox(inbox, Buffer.from('one'), '../order.edi', '<m1@x>');
    const second = await writeToInbox(inbox, Buffer.from('two'), 'order.edi', '<m2@x>');
    const third = await writeToInbox(inbox, Buffer.from('three'), undefined, '<m3@host.example>');
    expect([first, second, third]).toEqual([join(inbox, 'order.edi'), join(inbox, '1-order.edi'), join(inbox, 'm3_host.example')]);
    expect(await readFile(first, 'utf8')).toBe('one');
    expect(await readFile(second, 'utf8')).toBe('two');
    expect((await readdir(inbox)).sort()).toEqual(['1-order.edi', 'm3_host.example', 'order.edi']);
  });
});
