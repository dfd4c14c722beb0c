// Sends one message through a tenant's SMTP server with nodemailer. A new connection per message: tenants send
// little mail (transcripts, test mails), and a pooled connection per tenant would hold sockets and credentials
// open for nothing. Errors come back as MailError with a message that names the step (connection, TLS, login,
// recipient), never the password.
import { isIP } from 'node:net';
import { createTransport } from 'nodemailer';
import type { SmtpSettings } from './mail-settings.service.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Message-ID left/right of @ is chosen by nodemailer; this header lets a retry be recognised by the receiver. */
  headers?: Record<string, string>;
}

export class MailError extends Error {
  constructor(
    message: string,
    /** The SMTP reply code when the server answered (5xx: retrying will not help). */
    readonly responseCode: number | undefined,
  ) {
    super(message);
  }

  get permanent(): boolean {
    return this.responseCode !== undefined && this.responseCode >= 500;
  }
}

export interface MailSenderOptions {
  /** Connection, greeting and socket timeouts in ms (tests shorten them). */
  timeoutMs?: number;
}

export async function sendMail(settings: SmtpSettings, mail: OutgoingMail, options: MailSenderOptions = {}): Promise<{ messageId: string }> {
  const timeout = options.timeoutMs ?? 20_000;
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.tlsMode === 'tls',
    // starttls: refuse to go on in clear text when the server does not offer STARTTLS (a downgrade).
    requireTLS: settings.tlsMode === 'starttls',
    ignoreTLS: settings.tlsMode === 'none',
    // SNI carries host names only (RFC 6066); an IP literal is checked against the certificate's IP entries.
    tls: { rejectUnauthorized: settings.tlsVerify, ...(isIP(settings.host) ? {} : { servername: settings.host }) },
    auth: settings.username ? { user: settings.username, pass: settings.password ?? '' } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const info = await transport.sendMail({
      from: { name: settings.fromName, address: settings.fromAddress },
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html ? { html: mail.html } : {}),
      ...(mail.headers ? { headers: mail.headers } : {}),
      // UTF-8 throughout; quoted-printable keeps Chinese text readable in raw form and safe for 7-bit relays.
      textEncoding: 'quoted-printable',
    });
    return { messageId: info.messageId };
  } catch (err) {
    const e = err as { message?: string; code?: string; responseCode?: number; command?: string };
    const step = e.command ? ` (${e.command.split(' ')[0]})` : e.code ? ` (${e.code})` : '';
    throw new MailError(`${(e.message ?? 'sending failed').replace(/\s+/g, ' ').slice(0, 300)}${step}`, e.responseCode);
  } finally {
    transport.close();
  }
}
