import { simpleParser } from "mailparser";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { eventually } from "./server-process.js";

export type ReceivedMail = { to: string; subject: string; text: string; html: string };

/**
 * A real SMTP server on 127.0.0.1 that keeps every message it accepts (smtp-server + mailparser), for
 * the platform's mail to arrive at. `stop()` and `start()` again on the same port stand for a mail
 * server that is down for a while.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  async start(port = this.port): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push({
              to: session.envelope.rcptTo.map((r) => r.address).join(","),
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              html: typeof mail.html === "string" ? mail.html : "",
            });
            callback();
          })
          .catch((error: unknown) => callback(error as Error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The first message to `to` whose subject matches, once it has arrived. */
  async next(to: string, subject: RegExp, timeoutMs = 20_000): Promise<ReceivedMail> {
    return await eventually(
      () => Promise.resolve(this.received.find((m) => m.to === to && subject.test(m.subject))),
      { timeoutMs, intervalMs: 100, what: `a mail to ${to} (${subject.source})` },
    );
  }
}

/** The token of a link in a message (`…#token=…`). */
export function tokenIn(mail: ReceivedMail): { link: string; token: string } {
  const match = /(https?:\/\/\S+#token=([A-Za-z0-9_-]+))/.exec(mail.text);
  if (!match?.[1] || !match[2]) throw new Error(`no link in the mail: ${mail.text}`);
  return { link: match[1], token: match[2] };
}
