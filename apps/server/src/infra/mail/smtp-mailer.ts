import nodemailer from "nodemailer";
import type { OutboundClient } from "../net/outbound.js";

/** A message ready to send. */
export type MailToSend = { to: string; subject: string; text: string; html: string };

/** Sends one message or throws; the outbox decides what a failure means. */
export type Mailer = { send(message: MailToSend): Promise<void> };

const TIMEOUT_MS = 15_000;

/**
 * SMTP through nodemailer, to the server of `BIFROST_SMTP_URL` (`smtp://` with STARTTLS when the
 * server offers it, `smtps://` for TLS from the start; user and password from the URL). The address
 * is resolved and checked by the outbound client (`BIFROST_OUTBOUND_DENY`) and connected to as
 * checked, with the host name kept for TLS. One connection per message: invitations and resets are
 * few.
 */
export class SmtpMailer implements Mailer {
  private readonly url: URL;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly outbound: OutboundClient,
  ) {
    this.url = new URL(smtpUrl);
  }

  async send(message: MailToSend): Promise<void> {
    const secure = this.url.protocol === "smtps:";
    const port = Number(this.url.port || (secure ? 465 : 587));
    const host = this.url.hostname.replace(/^\[(.*)\]$/, "$1");
    const address = await this.outbound.addressFor(host, port);
    const transport = nodemailer.createTransport({
      host: address,
      port,
      secure,
      ...(this.url.username
        ? {
            auth: {
              user: decodeURIComponent(this.url.username),
              pass: decodeURIComponent(this.url.password),
            },
          }
        : {}),
      tls: { servername: host },
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
    try {
      await transport.sendMail({ from: this.from, ...message });
    } finally {
      transport.close();
    }
  }
}
