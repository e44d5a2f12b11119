import { createServer, type AddressInfo, type Server } from 'node:net';

export interface SmtpStub {
  readonly url: string;
  /** Mails tried (RCPT TO commands seen). */
  tried(): number;
  /** Each accepted or refused DATA as it came over the wire: headers and body, dot-stuffing undone. */
  received(): readonly string[];
  close(): Promise<void>;
}

/** An SMTP server answering RCPT TO and the end of DATA as told (by default, accepting); counts the mails tried, keeps what DATA carried. */
export async function smtpStub(replies: { rcpt: string; data?: string } = { rcpt: '250 ok' }): Promise<SmtpStub> {
  let tried = 0;
  const received: string[] = [];
  const server: Server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let message: string[] = [];
    socket.write('220 stub ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push(message.join('\r\n'));
            message = [];
            socket.write(`${replies.data ?? '250 queued'}\r\n`);
          } else {
            message.push(line.startsWith('.') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'RCPT') tried += 1;
        if (verb === 'DATA') inData = true;
        if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write(`${verb === 'RCPT' ? replies.rcpt : verb === 'DATA' ? '354 go on' : verb === 'EHLO' || verb === 'HELO' || verb === 'MAIL' || verb === 'RSET' ? '250 ok' : '502 unknown'}\r\n`);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, tried: () => tried, received: () => received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
