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
  send(mail: NoticeMail): Promise<void>;
  close(): void;
}

export const NOTICE_TRANSPORT = Symbol('NoticeTransport');

export function smtpNoticeTransport(smtpUrl: string | null): NoticeTransport {
  if (smtpUrl === null) return { enabled: false, send: async () => undefined, close: () => undefined };
  // nodemailer is loaded with the first notice, not at every start. Short timeouts: a hanging server delays the next
  // notice, never a decision (mail runs beside the hot path).
  let transporter: Promise<Transporter> | null = null;
  const transport = (): Promise<Transporter> =>
    (transporter ??= import('nodemailer').then(({ createTransport }) =>
      createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never),
    ));
  return {
    enabled: true,
    send: async (mail) => {
      await (await transport()).sendMail(mail);
    },
    close: () => void transporter?.then((opened) => opened.close()),
  };
}
