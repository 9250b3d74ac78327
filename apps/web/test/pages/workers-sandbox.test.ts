import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { signedInAdmin, type SignedIn } from "./signed-in.js";

// The embedded platform where workflows cannot be isolated (simulated as a container without
// CAP_SYS_ADMIN has it: the server runs with the capability dropped): it starts, and the Workers page
// says, as an alert on the worker's card, that Node's permission model is the only sandbox and why.

const WITHOUT_SYS_ADMIN = ["/usr/bin/setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--"];

let session: SignedIn;

beforeAll(async () => {
  session = await signedInAdmin({}, { wrap: WITHOUT_SYS_ADMIN });
});
afterAll(async () => {
  await session?.close();
});

describe("the Workers page without OS isolation", () => {
  it("shows the sandbox warning with its reason on the worker's card", async () => {
    const page = await session.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${session.baseUrl}/admin/workers`);
    await page.getByRole("heading", { name: "Workers", level: 1 }).waitFor();
    const card = page.locator("[data-worker-id]").first();
    const warning = card.getByRole("alert");
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(
      /not isolated.*Node's permission model only: the kernel refused the namespaces/,
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});
