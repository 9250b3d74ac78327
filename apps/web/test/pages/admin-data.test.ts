import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { signedInAdmin, type SignedIn } from "./signed-in.js";

const WAIT = 20_000;
let session: SignedIn;

beforeAll(async () => {
  session = await signedInAdmin();
});

afterAll(async () => {
  await session?.close();
});

async function openPage(path: string, heading: string | RegExp): Promise<Page> {
  const page = await session.context.newPage();
  page.setDefaultTimeout(WAIT);
  await page.goto(`${session.baseUrl}${path}`);
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

async function api<T>(
  path: string,
  body?: unknown,
  method = body === undefined ? "GET" : "POST",
): Promise<T> {
  const response = await fetch(`${session.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${session.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

describe("config & secrets page", () => {
  it("creates a string and a secret entry, never shows the secret, edits, deletes, and shows a 409", async () => {
    const page = await openPage("/admin/config", "Config & secrets");
    await page.getByText("No config entries yet.").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByLabel("Key", { exact: true }).fill("app.name");
    await page.getByLabel("Type").selectOption("string");
    await page.getByLabel("Value", { exact: true }).fill("Bifrost");
    await page.getByRole("button", { name: "Create entry" }).click();
    const row = page.locator("tbody tr", { hasText: "app.name" });
    await row.getByText("Bifrost", { exact: true }).waitFor();
    await row.getByRole("cell", { name: "Global" }).waitFor();

    const secret = `s3cr3t-${randomBytes(6).toString("hex")}`;
    await page.getByLabel("Key", { exact: true }).fill("smtp.password");
    await page.getByLabel("Type").selectOption("secret");
    const secretInput = page.getByLabel("Value", { exact: true });
    expect(await secretInput.getAttribute("type")).toBe("password");
    await secretInput.fill(secret);
    await page.getByRole("button", { name: "Create entry" }).click();
    const secretRow = page.locator("tbody tr", { hasText: "smtp.password" });
    await secretRow.getByText("hidden secret").waitFor();
    // The form was cleared and the list shows a mask: the value is nowhere in the page.
    await expect.poll(() => secretInput.inputValue()).toBe("");
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator("body").innerText()).not.toContain(secret);

    // The same key in the same scope: the API's 409 message.
    await page.getByLabel("Key", { exact: true }).fill("app.name");
    await page.getByLabel("Type").selectOption("string");
    await page.getByLabel("Value", { exact: true }).fill("Again");
    await page.getByRole("button", { name: "Create entry" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "The key app.name already exists in this scope" })
      .waitFor();

    // Editing a secret starts from an empty password box, never the stored value.
    await page.getByRole("button", { name: "Edit smtp.password" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Edit smtp.password" });
    const newSecret = secretDialog.getByLabel("New value");
    expect(await newSecret.getAttribute("type")).toBe("password");
    expect(await newSecret.inputValue()).toBe("");

    // Saving with the box empty is refused (it would blank the secret): no request, secret unchanged.
    type Entry = { key: string; type: string; updatedAt: string };
    const stored = async () =>
      (await api<{ items: Entry[] }>("/api/config")).items.find((i) => i.key === "smtp.password");
    const before = await stored();
    const writes: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "PUT" && request.url().includes("/api/config/")) writes.push(request.url());
    });
    expect(await newSecret.getAttribute("required")).not.toBeNull();
    await secretDialog.getByRole("button", { name: "Save" }).click();
    expect(await secretDialog.locator("input[type=password]:invalid").count()).toBe(1);
    // Past the browser's own check (the attribute removed), the page's check refuses it with a message.
    await newSecret.evaluate((input: { removeAttribute(name: string): void }) =>
      input.removeAttribute("required"),
    );
    expect(await newSecret.getAttribute("required")).toBeNull();
    await secretDialog.getByRole("button", { name: "Save" }).click();
    await secretDialog.getByText("Type the secret's value; an empty secret is not saved.").waitFor();
    expect(await newSecret.getAttribute("aria-invalid")).toBe("true");
    expect(writes).toEqual([]);
    expect(await stored()).toEqual(before);
    await secretDialog.getByRole("button", { name: "Cancel" }).click();
    await secretDialog.waitFor({ state: "detached" });

    await page.getByRole("button", { name: "Edit app.name" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit app.name" });
    expect(await dialog.getByLabel("Value").inputValue()).toBe("Bifrost");
    await dialog.getByLabel("Value").fill("Bifrost 2");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await row.getByText("Bifrost 2", { exact: true }).waitFor();

    await page.getByRole("button", { name: "Delete app.name" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete app.name?" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await confirm.waitFor({ state: "detached" });
    await row.waitFor({ state: "detached" });
    await secretRow.waitFor();

    const listed = await api<{ items: { key: string; value: unknown }[] }>("/api/config");
    expect(listed.items.map((i) => i.key)).toEqual(["smtp.password"]);
    expect(await page.content()).not.toContain(secret);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("tables pages", () => {
  it("creates a table, adds, queries, edits and deletes documents", async () => {
    const page = await openPage("/admin/tables", "Tables");
    await page.getByText("No tables yet.").waitFor();
    await page.getByLabel("Name", { exact: true }).fill("customers");
    await page.getByRole("button", { name: "Create table" }).click();
    const link = page.locator("tbody tr").getByRole("link", { name: "customers" });
    await link.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    for (const [id, data] of [
      ["bob", { name: "Bob", city: "Bergen", total: 5 }],
      ["cy", { name: "Cy", city: "Oslo", total: 30 }],
      ["dan", { name: "Dan", city: "Bergen", total: 7 }],
    ] as const) {
      await api("/api/tables/customers/documents", { id, data });
    }

    await link.click();
    await page.getByRole("heading", { name: "Table customers", level: 1 }).waitFor();
    const docs = page.getByRole("list", { name: "Documents" }).getByRole("listitem");
    const doc = (id: string) => page.getByRole("listitem", { name: `Document ${id}`, exact: true });
    await doc("dan").waitFor();
    expect(await docs.count()).toBe(3);

    // Invalid JSON never reaches the API.
    await page.getByLabel("Document id").fill("ada");
    await page.getByLabel("Data (JSON)").fill("{name: Ada");
    await page.getByRole("button", { name: "Add document" }).click();
    await page.getByText(/^Invalid JSON/).waitFor();

    await page.getByLabel("Data (JSON)").fill('{"name": "Ada", "city": "Oslo", "total": 12}');
    await page.getByRole("button", { name: "Add document" }).click();
    await doc("ada").waitFor();
    expect(await docs.count()).toBe(4);

    // One condition: city = Oslo narrows the list to Ada and Cy.
    await page.getByLabel("Field", { exact: true }).fill("city");
    await page.getByLabel("Operator").selectOption("eq");
    await page.getByLabel("Value", { exact: true }).fill("Oslo");
    await page.getByRole("button", { name: "Run query" }).click();
    await doc("bob").waitFor({ state: "detached" });
    await doc("ada").waitFor();
    await doc("cy").waitFor();
    expect(await docs.count()).toBe(2);

    // A JSON where with gte and an order.
    await page.getByLabel("JSON where").check();
    await page.getByLabel("Where (JSON)").fill('{"total": {"gte": 7}}');
    await page.getByLabel("Order by").fill("total");
    await page.getByLabel("Direction").selectOption("desc");
    await page.getByRole("button", { name: "Run query" }).click();
    await doc("dan").waitFor();
    const order = async () => Promise.all((await docs.all()).map((item) => item.getAttribute("aria-label")));
    await expect.poll(order).toEqual(["Document cy", "Document ada", "Document dan"]);

    // An unknown operator: the API's 422 is shown.
    await page.getByLabel("Where (JSON)").fill('{"total": {"like": 7}}');
    await page.getByRole("button", { name: "Run query" }).click();
    const failure = page.getByRole("alert").filter({ hasText: "Could not load the documents" });
    await failure.waitFor();
    expect((await failure.innerText()).length).toBeGreaterThan("Could not load the documents".length + 5);

    await page.getByRole("button", { name: "Clear" }).click();
    await doc("bob").waitFor();
    expect(await docs.count()).toBe(4);

    // Edit Ada (shallow merge), then delete Dan.
    await page.getByRole("button", { name: "Edit document ada" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit document ada" });
    await dialog.getByLabel("Data (JSON)").fill('{"total": 99}');
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await doc("ada").getByText("99", { exact: true }).waitFor();
    const ada = await api<{ data: Record<string, unknown> }>("/api/tables/customers/documents/ada");
    expect(ada.data).toEqual({ name: "Ada", city: "Oslo", total: 99 });

    await page.getByRole("button", { name: "Delete document dan" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete document dan?" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await confirm.waitFor({ state: "detached" });
    await doc("dan").waitFor({ state: "detached" });
    await doc("bob").waitFor();
    expect(await docs.count()).toBe(3);
    const count = await api<{ count: number }>("/api/tables/customers/documents/count", {});
    expect(count.count).toBe(3);

    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

/** A third-party OAuth server: authorize redirects back with a code; token checks PKCE and the client. */
async function startProvider() {
  const clientId = "bifrost-client";
  const clientSecret = `client-secret-${randomBytes(6).toString("hex")}`;
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const seen = { authorize: 0, token: 0 };
  const readForm = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    return new URLSearchParams(text);
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://provider");
    if (req.method === "GET" && url.pathname === "/authorize") {
      seen.authorize++;
      const redirectUri = url.searchParams.get("redirect_uri") ?? "";
      const state = url.searchParams.get("state") ?? "";
      const challenge = url.searchParams.get("code_challenge") ?? "";
      if (
        url.searchParams.get("client_id") !== clientId ||
        url.searchParams.get("response_type") !== "code"
      ) {
        res.writeHead(400).end("bad authorize request");
        return;
      }
      const code = randomBytes(8).toString("hex");
      codes.set(code, { challenge, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", state);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === "POST" && url.pathname === "/token") {
      void readForm(req).then((form) => {
        seen.token++;
        const pending = codes.get(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        const ok =
          pending &&
          form.get("grant_type") === "authorization_code" &&
          form.get("client_id") === clientId &&
          form.get("client_secret") === clientSecret &&
          form.get("redirect_uri") === pending.redirectUri &&
          createHash("sha256").update(verifier).digest("base64url") === pending.challenge;
        res.writeHead(ok ? 200 : 400, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            ok
              ? {
                  access_token: "at-1",
                  refresh_token: "rt-1",
                  token_type: "Bearer",
                  expires_in: 3600,
                  scope: "read",
                }
              : { error: "invalid_grant" },
          ),
        );
      });
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    clientId,
    clientSecret,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("integrations page", () => {
  it("creates an OAuth connection and an integration, connects through the provider and shows it connected", async () => {
    const provider = await startProvider();
    try {
      const page = await openPage("/admin/integrations", "Integrations");
      await page.getByText("No OAuth connections yet.").waitFor();
      await page.getByText("No integrations yet.").waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);

      await page.getByLabel("Connection name").fill("acme-crm");
      await page.getByLabel("Client id").fill(provider.clientId);
      await page.getByLabel("Client secret").fill(provider.clientSecret);
      await page.getByLabel("Authorize URL").fill(`${provider.url}/authorize`);
      await page.getByLabel("Token URL").fill(`${provider.url}/token`);
      await page.getByLabel("Scopes").fill("read");
      await page.getByRole("button", { name: "Create connection" }).click();
      const row = page.locator("tbody tr", { hasText: "acme-crm" }).first();
      await row.getByText("not connected").waitFor();
      await expect.poll(() => page.getByLabel("Client secret").inputValue()).toBe("");
      expect(await page.content()).not.toContain(provider.clientSecret);

      await page.getByLabel("Integration name").fill("crm");
      await page.getByLabel("OAuth connection", { exact: true }).selectOption("acme-crm");
      await page.getByRole("button", { name: "Create integration" }).click();
      const integration = page
        .locator("tbody tr", { hasText: "crm" })
        .filter({ has: page.getByRole("button", { name: "Test crm" }) });
      await integration.waitFor();

      await page.getByLabel("Connect acme-crm for").selectOption({ label: "Global" });
      await page.getByRole("button", { name: "Connect acme-crm" }).click();
      // Provider authorize → redirect to the API's callback, which exchanged the code.
      await page.getByText("is connected").waitFor();
      // BIFROST_PUBLIC_URL unset: the provider called back the origin the admin's browser used.
      expect(page.url()).toContain(`${session.baseUrl}/api/oauth/callback/acme-crm`);
      expect(provider.seen).toEqual({ authorize: 1, token: 1 });

      await page.goto(`${session.baseUrl}/admin/integrations`);
      const connected = page.locator("tbody tr", { hasText: "acme-crm" }).first();
      await connected.getByText("connected", { exact: true }).waitFor();
      await connected.getByText(/expires/).waitFor();
      expect(await page.content()).not.toContain(provider.clientSecret);

      // With a token in place the integration is ready.
      await page.getByRole("button", { name: "Test crm" }).click();
      await page.getByRole("status").getByText("ready", { exact: true }).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.close();
    } finally {
      await session.context.unrouteAll({ behavior: "ignoreErrors" });
      await provider.close();
    }
  });
});

describe("integration config", () => {
  it("refuses a non-http authorize URL, and sets defaults and a mapping's config so Test says ready", async () => {
    const page = await openPage("/admin/integrations", "Integrations");
    await page.getByRole("table", { name: "OAuth connections" }).waitFor();

    // The API refuses an authorize URL the browser could not safely be sent to: its 422 is shown
    // at the field, in the server's words, with no generic "The request is invalid" besides.
    await page.getByLabel("Connection name").fill("bad-provider");
    await page.getByLabel("Client id").fill("client");
    await page.getByLabel("Authorize URL").fill("javascript:alert(1)");
    await page.getByLabel("Token URL").fill("https://provider.example/token");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.getByText("must be an http or https URL").waitFor();
    expect(await page.getByText("The request is invalid").count()).toBe(0);
    expect(await page.getByLabel("Authorize URL").getAttribute("aria-invalid")).toBe("true");
    const connections = await api<{ items: { name: string }[] }>("/api/oauth/connections");
    expect(connections.items.map((c) => c.name)).not.toContain("bad-provider");

    await page.getByLabel("Integration name").fill("billing");
    await page.getByRole("button", { name: "Edit as JSON" }).click();
    await page
      .getByLabel("Config fields (JSON)")
      .fill('[{"key": "tenant", "type": "string", "required": true}, {"key": "region", "type": "string"}]');
    await page.getByRole("button", { name: "Create integration" }).click();
    const row = page.locator("tbody tr").filter({ has: page.getByRole("button", { name: "Test billing" }) });
    await row.waitFor();

    await row.getByRole("button", { name: "Test billing" }).click();
    await row.getByRole("status").getByText("not ready").waitFor();
    await row.getByText("The required config key tenant has no value").waitFor();

    // The integration's defaults supply the required key.
    await page.getByRole("button", { name: "Edit defaults of billing" }).click();
    const defaults = page.getByRole("dialog", { name: "Defaults of billing" });
    await defaults.getByLabel("Default tenant (required)").fill("acme");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await defaults.getByRole("button", { name: "Save defaults" }).click();
    await defaults.waitFor({ state: "detached" });
    await row.getByRole("button", { name: "Test billing" }).click();
    await row.getByRole("status").getByText("ready", { exact: true }).waitFor();

    // A mapping carries its own config over the defaults.
    await page.getByRole("button", { name: "Mappings of billing" }).click();
    const mappings = page.getByRole("dialog", { name: "Mappings of billing" });
    await mappings.getByText("No mappings yet.").waitFor();
    await mappings.getByLabel("Mapping organization").selectOption({ label: "Global" });
    await mappings.getByLabel("Mapping region").fill("eu");
    await mappings.getByLabel("Mapping tenant (required)").fill("acme-eu");
    await mappings.getByRole("button", { name: "Add mapping" }).click();
    const mappingTable = mappings.getByRole("table", { name: "Mappings of billing" });
    await mappingTable.getByText('"region":"eu"').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Editing a mapping changes its config in place (PUT); its organization stays.
    await mappings.getByRole("button", { name: "Edit the mapping of Global" }).click();
    expect(await mappings.getByLabel("Mapping organization").isDisabled()).toBe(true);
    await mappings.getByLabel("Entity name").fill("Acme EU");
    await mappings.getByLabel("Mapping region").fill("eu-west");
    await mappings.getByRole("button", { name: "Save mapping" }).click();
    await mappingTable.getByText('"region":"eu-west"').waitFor();
    await mappingTable.getByText("Acme EU").waitFor();
    await mappings.getByRole("button", { name: "Add mapping" }).waitFor();

    const integrations = await api<{ items: { id: string; name: string; defaults: unknown }[] }>(
      "/api/integrations",
    );
    const billing = integrations.items.find((i) => i.name === "billing");
    expect(billing?.defaults).toEqual({ tenant: "acme" });
    const stored = await api<{
      items: { organizationId: string | null; entityName: string | null; config: unknown }[];
    }>(`/api/integrations/${billing?.id ?? ""}/mappings`);
    expect(stored.items).toEqual([
      expect.objectContaining({
        organizationId: null,
        entityName: "Acme EU",
        config: { region: "eu-west", tenant: "acme-eu" },
      }),
    ]);
    const test = await api<{ ok: boolean }>(`/api/integrations/${billing?.id ?? ""}/test`, {});
    expect(test.ok).toBe(true);
    await page.close();
  });
});

describe("the data pages in the dark theme", () => {
  it("have no serious accessibility violation with their data on screen", async () => {
    const page = await session.context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.addInitScript('localStorage.setItem("bifrost.theme", "dark")');
    const tables = await api<{ items: { id: string; name: string }[] }>("/api/tables");
    const customers = tables.items.find((t) => t.name === "customers");
    expect(customers).toBeDefined();
    for (const [path, heading, content] of [
      ["/admin/config", "Config & secrets", "smtp.password"],
      ["/admin/tables", "Tables", "customers"],
      [`/admin/tables/${customers?.id ?? ""}`, "Table customers", "ada"],
      ["/admin/integrations", "Integrations", "acme-crm"],
    ] as const) {
      await page.goto(`${session.baseUrl}${path}`);
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      await page.locator("tbody, ul").getByText(content, { exact: true }).first().waitFor();
      expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
      expect(await seriousA11yViolations(page), path).toEqual([]);
    }
    await page.close();
  });
});
