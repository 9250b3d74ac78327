import type { Db } from "../db/database.js";
import type { SecretBox } from "../infra/crypto/secret-box.js";
import type { Logger } from "../infra/logger.js";
import { SmtpMailer } from "../infra/mail/smtp-mailer.js";
import { OutboundClient } from "../infra/net/outbound.js";
import type { WorkQueue } from "../infra/queue/work-queue.js";
import { MailMessagesRepository } from "../repositories/mail-messages.js";
import { MailOutbox } from "../services/mail/mail-outbox.js";

/**
 * The mail outbox of a process: the API enqueues, the scheduler role sends. Without an SMTP URL it
 * sends nothing and `enqueue` answers false (the admin gets the link instead).
 */
export function mailOutboxFor(deps: {
  db: Db;
  queue: WorkQueue;
  secretBox: SecretBox;
  mail: { smtpUrl: string | undefined; from: string } | undefined;
  outbound: OutboundClient | undefined;
  logger: Logger;
}): MailOutbox {
  const smtpUrl = deps.mail?.smtpUrl;
  return new MailOutbox({
    messages: new MailMessagesRepository(deps.db),
    queue: deps.queue,
    secretBox: deps.secretBox,
    mailer: smtpUrl
      ? new SmtpMailer(
          smtpUrl,
          deps.mail?.from ?? "Bifrost <bifrost@localhost>",
          deps.outbound ?? new OutboundClient(),
        )
      : undefined,
    logger: deps.logger,
  });
}
