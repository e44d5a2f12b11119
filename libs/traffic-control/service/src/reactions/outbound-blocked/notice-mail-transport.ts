import type { Transporter } from 'nodemailer';

export interface NoticeMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Where notices go out: SMTP through nodemailer, or nowhere when no SMTP_URL is configured. */
export interface NoticeTransport {
  readonly enabled: boolean;
  /** Rejects with NoticeRefusedError when the server refused the mail for good; any other rejection is worth a retry. */
  send(mail: NoticeMail): Promise<void>;
  close(): void;
}

export const NOTICE_TRANSPORT = Symbol('NoticeTransport');

/** Longest SMTP reply kept with a failed notice (a server's multi-line reply can be long). */
const SMTP_REPLY_KEPT = 500;

/**
 * The SMTP server refused the notice for good: a 5xx reply (RFC 5321's permanent negative completion) to RCPT TO or
 * DATA, such as 550 mailbox unavailable; sending it again cannot help. Any other failure (a 4xx, no connection) is transient.
 */
export class NoticeRefusedError extends Error {
  constructor(
    readonly smtpCode: number,
    /** The server's reply on one line, at most SMTP_REPLY_KEPT characters. */
    readonly smtpReply: string,
  ) {
    super(`SMTP server refused the notice: ${smtpReply}`);
    this.name = 'NoticeRefusedError';
  }
}

/** The permanent refusal a nodemailer error reports (its reply code, reply text and the command answered), or null. */
function refusalOf(error: unknown): NoticeRefusedError | null {
  const { responseCode, response, command } = (error ?? {}) as { responseCode?: unknown; response?: unknown; command?: unknown };
  if (typeof responseCode !== 'number' || responseCode < 500 || responseCode > 599) return null;
  if (command !== 'RCPT TO' && command !== 'DATA') return null;
  const reply = (typeof response === 'string' ? response : String(responseCode)).replace(/[\p{Cc}\s]+/gu, ' ').trim();
  return new NoticeRefusedError(responseCode, reply.slice(0, SMTP_REPLY_KEPT));
}

export function smtpNoticeTransport(smtpUrl: string | null): NoticeTransport {
  if (smtpUrl === null) return { enabled: false, send: async () => undefined, close: () => undefined };
  // nodemailer is loaded with the first notice, not at every start. Short timeouts: a hanging server delays the next
  // notice, never a decision (mail runs beside the hot path).
  let transporter: Promise<Transporter> | null = null;
  let words: Promise<(subject: string) => string> | null = null;
  const transport = (): Promise<Transporter> =>
    (transporter ??= import('nodemailer').then(({ createTransport }) =>
      createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never),
    ));
  // nodemailer encodes a subject with non-ASCII text whole, but leaves a valid encoded-word (`=?utf-8?B?…?=`) as it
  // stands, so a name typed as one would reach the reader decoded into other text: such a subject is encoded whole here.
  const subjectOf = (): Promise<(subject: string) => string> =>
    (words ??= import('nodemailer/lib/mime-funcs').then(({ encodeWord }) => (subject: string) => (subject.includes('=?') ? encodeWord(subject, 'B', 52) : subject)));
  return {
    enabled: true,
    send: async (mail) => {
      const [opened, subjectText] = await Promise.all([transport(), subjectOf()]);
      try {
        await opened.sendMail({ ...mail, subject: subjectText(mail.subject) });
      } catch (error) {
        throw refusalOf(error) ?? error;
      }
    },
    close: () => void transporter?.then((opened) => opened.close()),
  };
}
