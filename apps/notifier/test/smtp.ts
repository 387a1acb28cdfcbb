import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly to: readonly string[];
  readonly messageId: string;
  readonly subject: string;
  readonly raw: string;
}

export interface TestSmtp {
  readonly port: number;
  /** smtp://127.0.0.1:<port>: what SMTP_URL is set to. */
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Resolves when a message's DATA starts arriving (its send is in flight). */
  readonly dataStarted: Promise<void>;
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  readonly port?: number;
  /** Recipients answered with a permanent 550, as a relay does for a rejected address. */
  readonly reject?: readonly string[];
  /** Holds every message this long before accepting it (a slow relay). */
  readonly delayMs?: number;
}

/** A header's value, its MIME encoded-words (`=?UTF-8?Q?…?=`, as nodemailer writes quotes) decoded. */
const header = (raw: string, name: string) =>
  (new RegExp(`^${name}: (.*(?:\r?\n[ \t].*)*)`, 'mi').exec(raw)?.[1] ?? '')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, q: string) =>
      Buffer.from(
        q
          .replace(/_/g, ' ')
          .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
        'latin1',
      ).toString('utf8'),
    )
    .trim();

/**
 * A real SMTP server (the smtp-server package, the receiving half of nodemailer) on loopback: it speaks the
 * protocol the worker's transport speaks, and keeps what it accepted.
 */
export async function startSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let started: () => void = () => {};
  const dataStarted = new Promise<void>((resolve) => {
    started = resolve;
  });
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to trust, and the client must not wait for one.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.reject?.includes(address.address)) {
        return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      started();
      let raw = '';
      stream.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
      });
      stream.on('end', () => {
        setTimeout(() => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: header(raw, 'Message-ID'),
            subject: header(raw, 'Subject'),
            raw,
          });
          callback();
        }, options.delayMs ?? 0);
      });
    },
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    dataStarted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
