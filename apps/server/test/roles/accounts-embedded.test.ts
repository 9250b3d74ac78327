import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAccountsJourney } from "../support/accounts-journey.js";
import { firstAdminToken } from "../support/engine-journey.js";
import { startEmbedded, type EmbeddedServer } from "../support/embedded-server.js";
import { SmtpSink } from "../support/smtp-sink.js";

// `bifrost-server start` with a real SMTP server of the test's own: invitations and password resets
// arrive, their links work once, and mail waits out a mail server that is down.

const INVITATION_HOURS = 0.004;

describe("invitations and password resets on the embedded platform (bifrost-server start)", () => {
  const smtp = new SmtpSink();
  let embedded: EmbeddedServer;
  let token: string;

  beforeAll(async () => {
    await smtp.start();
    // Invitations last 0.004 h (14.4 s) here, so that one can be seen expiring.
    embedded = await startEmbedded(
      { BIFROST_SMTP_URL: smtp.url, BIFROST_INVITATION_HOURS: String(INVITATION_HOURS) },
      { publicUrlIsSelf: true },
    );
    token = await firstAdminToken(embedded.url);
  }, 120_000);

  afterAll(async () => {
    await embedded?.close();
    await smtp.stop();
  });

  it("an invitation and a reset arrive by mail, each link works once, a reset ends the logins, and mail waits out a mail server that is down", async () => {
    await runAccountsJourney(
      embedded.url,
      token,
      smtp,
      () => new Promise((resolve) => setTimeout(resolve, INVITATION_HOURS * 3600_000 + 500)),
    );
    // No link reached the server's log (it logs every request at info).
    expect(embedded.server.output()).not.toContain("token=");
    expect(embedded.server.output()).toContain('"url":"/auth/register-from-invite"');
  }, 90_000);
});
