import { smtpNoticeTransport, type NoticeTransport } from './notice-mail-transport';
import { smtpStub, type SmtpStub } from './smtp-stub.spec-support';

/** A header as a mail client reads it: unfolded, every RFC 2047 encoded-word decoded (whitespace between two of them dropped). */
function readHeader(message: string, name: string): string {
  const unfolded = message.split('\r\n\r\n')[0].replace(/\r\n[ \t]/g, ' ');
  const line = unfolded.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}: `)) ?? '';
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  return line
    .slice(name.length + 2)
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, '$1')
    .replace(word, (_all, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
    );
}

/** What goes on the wire for a notice's Subject: a mail client shows exactly the text the notice was built with. */
describe('notice mail transport: the Subject on the wire', () => {
  let stub: SmtpStub;
  let transport: NoticeTransport;

  beforeAll(async () => {
    stub = await smtpStub();
    transport = smtpNoticeTransport(stub.url);
  });

  afterAll(async () => {
    transport.close();
    await stub.close();
  });

  async function sent(subject: string): Promise<string> {
    await transport.send({ from: 'as2@example.test', to: 'ops@example.test', subject, text: 'body' });
    return stub.received().at(-1) as string;
  }

  it('keeps a plain ASCII subject readable as it is', async () => {
    const subject = 'Outbound traffic paused: 2 message(s) to Acme Corp (ACME-AS2) were not sent';
    const wire = await sent(subject);
    expect(readHeader(wire, 'Subject')).toBe(subject);
    expect(wire.split('\r\n\r\n')[0]).not.toContain('=?');
  });

  it.each([
    ['an encoded-word typed as a name', 'Outbound traffic paused: 1 message(s) to =?utf-8?B?U2VjdXJpdHkgYWxlcnQ6IHJlc2V0IHlvdXIgcGFzc3dvcmQ=?= (P1) were not sent'],
    ['a Q encoded-word typed as a name', 'Outbound traffic paused: 1 message(s) to =?UTF-8?Q?Urgent=3A_wire_funds?= (P1) were not sent'],
    ['non-ASCII beside an encoded-word', 'Outbound traffic paused: 1 message(s) to Müller =?utf-8?Q?Admin?= (P1) were not sent'],
    ['non-ASCII', 'Outbound traffic paused: 1 message(s) to Müller Ütility ☃ (P1) were not sent'],
    ['a very long name with encoded-words', `Outbound traffic paused: 1 message(s) to ${'=?utf-8?B?QQ==?= '.repeat(60)}(P1) were not sent`],
  ])('shows %s as typed, never decoded into something else', async (_case, subject) => {
    const wire = await sent(subject);
    expect(readHeader(wire, 'Subject')).toBe(subject);
    for (const line of wire.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });
});
