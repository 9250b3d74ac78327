import type { MailMessage } from "@bifrost/contracts";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { Logger } from "../../infra/logger.js";
import type { Mailer } from "../../infra/mail/smtp-mailer.js";
import type { Consumer, WorkQueue } from "../../infra/queue/work-queue.js";
import type { MailMessageRow, MailMessagesRepository } from "../../repositories/mail-messages.js";
import type { Page } from "../../repositories/pagination.js";
import type { ScheduledJob } from "../scheduler/job.js";
import { render, type MailVariables } from "./templates.js";

const MAIL_QUEUE = "mail-outbox";
const mailQueueDeclaration = { name: MAIL_QUEUE, deliveryLimit: 20 };
const SEAL_PURPOSE = "mail-body";
/** Waits before the 2nd, 3rd… attempt; after the last one the message is given up (~4 h in all). */
const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000];
/** How long an attempt holds its message (longer than the mailer's timeouts). */
const ATTEMPT_LEASE_MS = 60_000;
const DUE_BATCH = 100;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

const toMessage = (row: MailMessageRow): MailMessage => ({
  id: row.id,
  to: row.toAddress,
  template: row.template,
  status: row.status,
  attempts: row.attempts,
  lastError: row.lastError,
  nextAttemptAt: row.status === "queued" ? iso(row.nextAttemptAt) : null,
  createdAt: row.createdAt.toISOString(),
  sentAt: iso(row.sentAt),
});

/** What an error says, without anything that could be the message's content. */
const describe = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 500);

/**
 * Mail goes out through the queue, never from the request that caused it: `enqueue` records the
 * message (its variables — the link among them — sealed with the secret box until it is sent or given
 * up) and publishes its id; a consumer (the scheduler role, so `start` too) sends it; a failed attempt
 * is tried again after a growing delay, and a job of the scheduler publishes again what is due (a
 * publish that failed, a retry, a message lost with the embedded queue). The log (`list`) shows the
 * recipient, template, status and attempts, never the content.
 */
export class MailOutbox {
  private consumer: Consumer | undefined;
  /** The queue is declared once per process before the first publish (the API does not start()). */
  private declared: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      messages: MailMessagesRepository;
      queue: WorkQueue;
      secretBox: SecretBox;
      /** Undefined without `BIFROST_SMTP_URL`: nothing is sent (the admin gets the link instead). */
      mailer: Mailer | undefined;
      logger: Logger;
    },
  ) {}

  get configured(): boolean {
    return this.deps.mailer !== undefined;
  }

  /** Records the message and publishes it; answers at once. False when no mail server is configured. */
  async enqueue(to: string, variables: MailVariables): Promise<boolean> {
    if (!this.deps.mailer) return false;
    const row = await this.deps.messages.insert(
      {
        toAddress: to,
        template: variables.template,
        bodySealed: this.deps.secretBox.seal(JSON.stringify(variables), SEAL_PURPOSE),
      },
      ATTEMPT_LEASE_MS,
    );
    // A publish that fails, or a message lost with the embedded queue, leaves the row to the retry
    // job once the lease is over; until then the job leaves it to this message (no second send).
    await this.declare()
      .then(() => this.deps.queue.publish(MAIL_QUEUE, Buffer.from(row.id)))
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error, mailId: row.id }, "mail not queued; the retry job will"),
      );
    return true;
  }

  /** Declares the queue once per process (tried again after a failure). */
  private declare(): Promise<void> {
    this.declared ??= this.deps.queue.declare(mailQueueDeclaration).catch((error: unknown) => {
      this.declared = undefined;
      throw error;
    });
    return this.declared;
  }

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<MailMessage>> {
    const page = await this.deps.messages.list(options);
    return { items: page.items.map(toMessage), nextCursor: page.nextCursor };
  }

  /** Starts sending (only where a mail server is configured). */
  async start(): Promise<void> {
    await this.declare();
    if (!this.deps.mailer) return;
    this.consumer = await this.deps.queue.consume(
      MAIL_QUEUE,
      async (message) => {
        await this.deliver(message.body.toString("utf8"));
        await message.ack();
      },
      { prefetch: 4 },
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.cancel();
  }

  /** The scheduler's job: publishes the messages whose next attempt is due. */
  job(): ScheduledJob {
    return {
      name: "mail-outbox",
      intervalMs: 1_000,
      run: async () => {
        if (!this.deps.mailer) return;
        for (const id of await this.deps.messages.due(DUE_BATCH))
          await this.deps.queue.publish(MAIL_QUEUE, Buffer.from(id));
      },
    };
  }

  /** One attempt at one message; a duplicate, or a message not due, is left alone. */
  private async deliver(id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return;
    const mailer = this.deps.mailer;
    if (!mailer) return;
    const row = await this.deps.messages.claim(id, ATTEMPT_LEASE_MS);
    if (!row) return;
    try {
      if (!row.bodySealed) throw new Error("the message has no body");
      const variables = JSON.parse(this.deps.secretBox.open(row.bodySealed, SEAL_PURPOSE)) as MailVariables;
      await mailer.send(render(row.toAddress, variables));
      await this.deps.messages.markSent(row.id);
      this.deps.logger.info({ mailId: row.id, template: row.template }, "mail sent");
    } catch (error) {
      const retryIn = RETRY_DELAYS_MS[row.attempts - 1];
      await this.deps.messages.markFailed(row.id, describe(error), retryIn);
      this.deps.logger.warn(
        { mailId: row.id, template: row.template, attempt: row.attempts, error: describe(error) },
        retryIn === undefined ? "mail given up" : "mail not sent; it will be tried again",
      );
    }
  }
}
