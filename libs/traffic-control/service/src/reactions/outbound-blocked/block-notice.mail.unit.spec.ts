import { blockNoticeMail } from './block-notice.mail';

const block = { eventId: 'evt-1', messageId: '<m1@us>', channel: 'sftp', reason: 'TENANT_PAUSE: quarter close', blockedAt: '2031-01-01T00:00:00.000Z' };
const notice = { from: 'as2-partners@localhost', to: 'ops@plant.example', partner: 'Acme (ACME)', partnerId: 'prt_1', tenant: 't1' };

describe('a blocked-message notice', () => {
  it('lists each message with its channel, time and reason, and names the partner and tenant', () => {
    const mail = blockNoticeMail({ ...notice, listed: [block, { ...block, eventId: 'evt-2', messageId: '<m2@us>', channel: null }] });
    expect(mail.subject).toBe('Outbound traffic paused: 2 message(s) to Acme (ACME) were not sent');
    expect(mail.text.split('\n')).toEqual(
      expect.arrayContaining([
        '- <m1@us>  channel: sftp  blocked at: 2031-01-01T00:00:00.000Z  (TENANT_PAUSE: quarter close)',
        '- <m2@us>  channel: unspecified  blocked at: 2031-01-01T00:00:00.000Z  (TENANT_PAUSE: quarter close)',
        'Partner id: prt_1, tenant: t1',
      ]),
    );
  });

  it('counts in its subject every message waiting, those later notices list too', () => {
    const mail = blockNoticeMail({ ...notice, listed: [block], following: 900 });
    expect(mail.subject).toBe('Outbound traffic paused: 901 message(s) to Acme (ACME) were not sent (1 listed here)');
    expect(mail.text).toContain('… and 900 more, listed in the next notice(s).');
  });

  it("keeps a gateway's message id and channel on their line: control characters are shown escaped, never as line breaks", () => {
    const messageId = '<m1@us>\r\nBcc: someone@evil.example\r\n\r\nYour account is suspended: https://evil.example\u2028\u0000';
    const mail = blockNoticeMail({ ...notice, listed: [{ ...block, messageId, channel: 'rest\nX-Evil: 1' }] });
    const lines = mail.text.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines).toContain(
      '- <m1@us>\\u000d\\u000aBcc: someone@evil.example\\u000d\\u000a\\u000d\\u000aYour account is suspended: https://evil.example\\u2028\\u0000' +
        '  channel: rest\\u000aX-Evil: 1  blocked at: 2031-01-01T00:00:00.000Z  (TENANT_PAUSE: quarter close)',
    );
    for (const control of ['\r', '\u2028', '\u0000']) expect(mail.text).not.toContain(control);
  });

  it('shows bidi overrides and isolates escaped too, so a message id cannot read reversed ("Trojan Source")', () => {
    const mail = blockNoticeMail({ ...notice, listed: [{ ...block, messageId: '<invoice\u202Etxt.exe@us>', channel: 'sftp\u2066x\u2069' }] });
    expect(mail.text).toContain('- <invoice\\u202etxt.exe@us>  channel: sftp\\u2066x\\u2069  blocked at:');
    for (const bidi of ['\u202e', '\u2066', '\u2069']) expect(mail.text).not.toContain(bidi);
  });
});
