import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousA11yViolations } from "../axe.js";
import { callApi, signedInAdmin, type SignedIn } from "./signed-in.js";

// The role page and the Users page's bulk actions in Chromium (issue 22): everything the pages do is
// checked again through the API, not only on the screen.

const WORKFLOWS = `import { workflow, z } from "@bifrost/sdk";

export const repairTicket = workflow({
  params: z.object({ device: z.string() }),
  run: ({ device }) => ({ ticket: device }),
});
`;

type Member = { id: string; email: string };
type User = { id: string; email: string; organizationId: string; isActive: boolean };

let session: SignedIn;

const api = <T>(method: string, route: string, body?: unknown): Promise<T> =>
  callApi<T>(session.baseUrl, session.token, method, route, body);

const status = async (route: string) =>
  (await fetch(`${session.baseUrl}${route}`, { headers: { authorization: `Bearer ${session.token}` } }))
    .status;

const createOrganization = (name: string) => api<{ id: string }>("POST", "/api/organizations", { name });
const createRole = (name: string) => api<{ id: string }>("POST", "/api/roles", { name });
const createUser = (email: string, name: string, organizationId: string) =>
  api<User>("POST", "/api/users", { email, name, organizationId });
const membersOf = async (roleId: string) =>
  (await api<{ items: Member[] }>("GET", `/api/roles/${roleId}/users`)).items.map((m) => m.email).sort();

async function open(path: string, heading: string): Promise<Page> {
  const page = await session.context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${session.baseUrl}${path}`);
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

beforeAll(async () => {
  session = await signedInAdmin();
});
afterAll(async () => {
  await session?.close();
});

describe("the role page", () => {
  it(
    "lists a role's members, forms and workflows; adds and removes members, renames and deletes the role",
    { timeout: 90_000 },
    async () => {
      const contoso = await createOrganization("Contoso");
      const role = await createRole("Technicians");
      const ada = await createUser("ada@contoso.example", "Ada", contoso.id);
      const grace = await createUser("grace@contoso.example", "Grace", contoso.id);
      await createUser("alan@contoso.example", "Alan", contoso.id);
      await api("POST", `/api/roles/${role.id}/users`, { userIds: [ada.id, grace.id] });
      const written = await api<{ workflows: { id: string; name: string }[] }>(
        "PUT",
        "/api/files/editor/content",
        { path: "repairs.ts", content: WORKFLOWS },
      );
      const workflowId = written.workflows.find((w) => w.name === "repairTicket")?.id ?? "";
      await api("PATCH", `/api/workflows/${workflowId}`, { accessLevel: "role_based", roleIds: [role.id] });
      const form = await api<{ id: string }>("POST", "/api/forms", {
        name: "Repair request",
        workflowId,
        accessLevel: "role_based",
        roleIds: [role.id],
        fields: [{ name: "device", label: "Device", type: "text", required: true }],
      });

      // From the list, the role's name leads to its page.
      const page = await open("/admin/roles", "Roles");
      await page.getByRole("link", { name: "Technicians", exact: true }).click();
      await page.getByRole("heading", { name: "Technicians", level: 1 }).waitFor();
      expect(page.url()).toBe(`${session.baseUrl}/admin/roles/${role.id}`);
      const members = page.getByRole("table", { name: "Members of Technicians" });
      await members.getByRole("row", { name: /ada@contoso\.example/ }).waitFor();
      await members
        .getByRole("row", { name: /grace@contoso\.example/ })
        .getByRole("cell", { name: "Contoso", exact: true })
        .waitFor();
      expect(await members.getByRole("row", { name: /alan@/ }).count()).toBe(0);
      const formLink = page.getByRole("link", { name: "Repair request" });
      expect(await formLink.getAttribute("href")).toBe(`/forms/${form.id}/edit`);
      const workflowLink = page.getByRole("link", { name: "repairTicket" });
      expect(await workflowLink.getAttribute("href")).toBe(`/workflows/${workflowId}`);
      expect(await seriousA11yViolations(page)).toEqual([]);

      // Add a member: only the users who do not hold the role are offered.
      await page.getByRole("button", { name: "Add members" }).click();
      const addDialog = page.getByRole("dialog", { name: "Add members to Technicians" });
      await addDialog.getByLabel(/alan@contoso\.example/).check();
      expect(await addDialog.getByLabel(/ada@contoso\.example/).count()).toBe(0);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await addDialog.getByRole("button", { name: "Add", exact: true }).click();
      await page.getByRole("status").getByText("1 member added to Technicians.").waitFor();
      await members.getByRole("row", { name: /alan@contoso\.example/ }).waitFor();
      expect(await membersOf(role.id)).toEqual([
        "ada@contoso.example",
        "alan@contoso.example",
        "grace@contoso.example",
      ]);

      // Remove one: the role is taken from them.
      await members
        .getByRole("row", { name: /ada@contoso\.example/ })
        .getByRole("button", { name: "Remove ada@contoso.example from Technicians" })
        .click();
      await page.getByRole("status").getByText("ada@contoso.example no longer holds Technicians.").waitFor();
      await members.getByRole("row", { name: /ada@contoso\.example/ }).waitFor({ state: "detached" });
      expect(await membersOf(role.id)).toEqual(["alan@contoso.example", "grace@contoso.example"]);

      // Rename.
      await page.getByRole("button", { name: "Rename", exact: true }).click();
      const renameDialog = page.getByRole("dialog", { name: "Rename Technicians" });
      await renameDialog.getByLabel("Name").fill("Field technicians");
      await renameDialog.getByRole("button", { name: "Rename" }).click();
      await page.getByRole("heading", { name: "Field technicians", level: 1 }).waitFor();
      await renameDialog.waitFor({ state: "detached" });
      expect((await api<{ name: string }>("GET", `/api/roles/${role.id}`)).name).toBe("Field technicians");

      // Delete: the dialog says what goes with the role; then back to the list, the role gone everywhere.
      await page.getByRole("button", { name: "Delete role" }).click();
      const deleteDialog = page.getByRole("dialog", { name: "Delete Field technicians?" });
      await deleteDialog
        .getByText(/taken from all its users and removed from all the forms and workflows/)
        .waitFor();
      await deleteDialog.getByText(/\(1 form, 1 workflow\)/).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await deleteDialog.getByRole("button", { name: "Delete role" }).click();
      await page.getByRole("heading", { name: "Roles", level: 1 }).waitFor();
      expect(page.url()).toBe(`${session.baseUrl}/admin/roles`);
      expect(await page.getByRole("link", { name: "Field technicians" }).count()).toBe(0);
      expect(await status(`/api/roles/${role.id}`)).toBe(404);
      expect((await api<{ roleIds: string[] }>("GET", `/api/forms/${form.id}`)).roleIds).toEqual([]);
      expect((await api<{ roleIds: string[] }>("GET", `/api/workflows/${workflowId}`)).roleIds).toEqual([]);
      await page.close();
    },
  );
});

describe("bulk actions on the Users page", () => {
  it(
    "moves, deactivates and replaces the roles of the selected users, and shows the API's refusal",
    { timeout: 90_000 },
    async () => {
      const northwind = await createOrganization("Northwind");
      const fabrikam = await createOrganization("Fabrikam");
      const oldRole = await createRole("Old role");
      const auditors = await createRole("Auditors");
      const reviewers = await createRole("Reviewers");
      const emails = ["mary@northwind.example", "joan@northwind.example", "kate@northwind.example"];
      const [mary, joan, kate] = await Promise.all(
        emails.map((email, i) => createUser(email, ["Mary", "Joan", "Kate"][i] ?? "", northwind.id)),
      );
      if (!mary || !joan || !kate) throw new Error("the users were not created");
      await api("POST", `/api/roles/${oldRole.id}/users`, { userIds: [mary.id] });
      const user = (id: string) => api<User>("GET", `/api/users/${id}`);

      const page = await open("/admin/users", "Users");
      const row = (email: string) => page.getByRole("row", { name: email });
      for (const email of emails) await page.getByLabel(`Select ${email}`, { exact: true }).check();
      await page.getByRole("heading", { name: "3 users selected" }).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);

      // Move all three.
      await page.getByLabel("Move to organization", { exact: true }).selectOption({ label: "Fabrikam" });
      await page.getByRole("button", { name: "Move", exact: true }).click();
      await page.getByRole("status").getByText("3 users moved to Fabrikam.").waitFor();
      for (const email of emails)
        await row(email).getByRole("cell", { name: "Fabrikam", exact: true }).waitFor();
      for (const u of [mary, joan, kate]) expect((await user(u.id)).organizationId).toBe(fabrikam.id);

      // Deactivate two of them.
      await page.getByLabel("Select kate@northwind.example", { exact: true }).uncheck();
      await page.getByRole("heading", { name: "2 users selected" }).waitFor();
      await page.getByRole("button", { name: "Deactivate", exact: true }).click();
      await page.getByRole("status").getByText("2 users deactivated.").waitFor();
      await row("joan@northwind.example").getByText("inactive").waitFor();
      expect((await user(mary.id)).isActive).toBe(false);
      expect((await user(joan.id)).isActive).toBe(false);
      expect((await user(kate.id)).isActive).toBe(true);

      // Replace the roles of all three: Mary's old role goes.
      await page.getByLabel("Select kate@northwind.example", { exact: true }).check();
      await page.getByRole("heading", { name: "3 users selected" }).waitFor();
      const replace = page.getByRole("group", { name: "Replace their roles with" });
      await replace.getByLabel("Auditors").check();
      await replace.getByLabel("Reviewers").check();
      await page.getByRole("button", { name: "Replace roles" }).click();
      await page
        .getByRole("status")
        .getByText(/^3 users now hold (Auditors, Reviewers|Reviewers, Auditors)\.$/)
        .waitFor();
      expect(await membersOf(auditors.id)).toEqual([...emails].sort());
      expect(await membersOf(reviewers.id)).toEqual([...emails].sort());
      expect(await membersOf(oldRole.id)).toEqual([]);

      // With one's own account among them: no Deactivate, and the API's refusal of a move is shown
      // (a platform admin stays in the provider organization) — nobody moves.
      await page.getByLabel("Select admin@example.com", { exact: true }).check();
      await page.getByRole("heading", { name: "4 users selected" }).waitFor();
      expect(await page.getByRole("button", { name: "Deactivate", exact: true }).isDisabled()).toBe(true);
      await page.getByLabel("Move to organization", { exact: true }).selectOption({ label: "Northwind" });
      await page.getByRole("button", { name: "Move", exact: true }).click();
      await page
        .getByRole("alert")
        .getByText("Platform admins belong to the provider organization")
        .waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      for (const u of [mary, joan, kate]) expect((await user(u.id)).organizationId).toBe(fabrikam.id);

      // "Select all" selects every user shown, and again clears the selection.
      const shown = await page.locator("tbody tr").count();
      await page.getByLabel("Select all users shown").check();
      await page.getByRole("heading", { name: `${shown} users selected` }).waitFor();
      await page.getByLabel("Select all users shown").uncheck();
      await page.getByRole("heading", { name: /users? selected/ }).waitFor({ state: "detached" });
      await page.close();
    },
  );
});
