import type { SsoProvider, SsoProviderKind } from "@bifrost/contracts";
import "./admin.css";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useInvalidatingMutation } from "../../api/queries.js";
import {
  ActionError,
  Badge,
  Button,
  ConfirmDialog,
  Field,
  Input,
  Select,
} from "../../components/ui/index.js";
import { AdminTable, CreateCard } from "./collection.js";

const KEY = ["admin", "sso-providers"];
const KINDS: Record<SsoProviderKind, string> = {
  oidc: "OpenID Connect",
  entra: "Microsoft Entra ID",
  google: "Google",
};
const ISSUER_HINTS: Record<SsoProviderKind, string> = {
  oidc: "The provider's issuer URL (its discovery document is at …/.well-known/openid-configuration)",
  entra:
    "Leave empty for https://login.microsoftonline.com/organizations/v2.0 (any work account; the organization's tenant ids decide who gets in)",
  google: "Leave empty for https://accounts.google.com",
};

type Row = SsoProvider & { id: string };
type Draft = {
  name: string;
  kind: SsoProviderKind;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  requireMfa: boolean;
  provisionIntoProvider: boolean;
};
const EMPTY: Draft = {
  name: "",
  kind: "oidc",
  displayName: "",
  issuer: "",
  clientId: "",
  clientSecret: "",
  requireMfa: false,
  provisionIntoProvider: false,
};

/** Single sign-on providers (platform admins): add or replace, test, remove. */
export function SsoProvidersPage() {
  const providers = useQuery({
    queryKey: KEY,
    queryFn: async ({ signal }) => {
      const list = await apiFetch<{ items: SsoProvider[] }>("/api/settings/oauth", { signal });
      return { items: list.items.map((p): Row => ({ ...p, id: p.name })) };
    },
  });
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [removing, setRemoving] = useState<Row | undefined>();
  const [tests, setTests] = useState<Record<string, string>>({});
  const save = useInvalidatingMutation(KEY, (d: Draft) =>
    apiFetch<SsoProvider>(`/api/settings/oauth/${encodeURIComponent(d.name.trim())}`, {
      method: "PUT",
      body: {
        kind: d.kind,
        displayName: d.displayName.trim(),
        ...(d.issuer.trim() ? { issuer: d.issuer.trim() } : {}),
        clientId: d.clientId.trim(),
        ...(d.clientSecret ? { clientSecret: d.clientSecret } : {}),
        requireMfa: d.requireMfa,
        provisionIntoProvider: d.provisionIntoProvider,
      },
    }),
  );
  const remove = useInvalidatingMutation(KEY, (row: Row) =>
    apiFetch<undefined>(`/api/settings/oauth/${encodeURIComponent(row.name)}`, { method: "DELETE" }),
  );
  const test = async (row: Row) => {
    setTests((t) => ({ ...t, [row.name]: "Testing…" }));
    try {
      const answer = await apiFetch<{ ok: boolean; message: string }>(
        `/api/settings/oauth/${encodeURIComponent(row.name)}/test`,
        { method: "POST" },
      );
      setTests((t) => ({ ...t, [row.name]: `${answer.ok ? "Works" : "Fails"}: ${answer.message}` }));
    } catch (error) {
      setTests((t) => ({ ...t, [row.name]: `Fails: ${(error as Error).message}` }));
    }
  };
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const edit = (row: Row) => setDraft({ ...EMPTY, ...row, clientSecret: "", issuer: row.issuer });

  return (
    <section className="admin-page">
      <h1>Single sign-on</h1>
      <p>
        People sign in with their company account. Register Bifrost at the provider with the redirect URI
        shown below, then bind each organization to its e-mail domain or Microsoft Entra tenant on the
        Organizations page.
      </p>
      <CreateCard
        title="Add or replace a provider"
        submitLabel="Save provider"
        create={save}
        onSubmit={() => save.mutate(draft, { onSuccess: () => setDraft(EMPTY) })}
      >
        <Field label="Name" hint="Part of its URLs: lowercase letters, digits and -">
          {(ids) => (
            <Input {...ids} required value={draft.name} onChange={(e) => set("name", e.target.value)} />
          )}
        </Field>
        <Field label="Kind">
          {(ids) => (
            <Select
              {...ids}
              value={draft.kind}
              onChange={(e) => set("kind", e.target.value as SsoProviderKind)}
            >
              {Object.entries(KINDS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Button label" hint="Shown as “Sign in with …”">
          {(ids) => (
            <Input
              {...ids}
              required
              value={draft.displayName}
              onChange={(e) => set("displayName", e.target.value)}
            />
          )}
        </Field>
        <Field label="Issuer" hint={ISSUER_HINTS[draft.kind]}>
          {(ids) => <Input {...ids} value={draft.issuer} onChange={(e) => set("issuer", e.target.value)} />}
        </Field>
        <Field label="Client ID">
          {(ids) => (
            <Input
              {...ids}
              required
              value={draft.clientId}
              onChange={(e) => set("clientId", e.target.value)}
            />
          )}
        </Field>
        <Field label="Client secret" hint="Stored encrypted; leave empty to keep the current one">
          {(ids) => (
            <Input
              {...ids}
              type="password"
              autoComplete="new-password"
              value={draft.clientSecret}
              onChange={(e) => set("clientSecret", e.target.value)}
            />
          )}
        </Field>
        <label className="admin-check">
          <input
            type="checkbox"
            checked={draft.requireMfa}
            onChange={(e) => set("requireMfa", e.target.checked)}
          />
          Require Bifrost's two-factor step unless the provider says it did MFA
        </label>
        <label className="admin-check">
          <input
            type="checkbox"
            checked={draft.provisionIntoProvider}
            onChange={(e) => set("provisionIntoProvider", e.target.checked)}
          />
          May sign people in to the provider organization (never as platform admins)
        </label>
      </CreateCard>
      <ActionError error={remove.error} />
      <AdminTable
        query={providers}
        what="the sign-in providers"
        caption="Sign-in providers"
        empty="No sign-in provider yet."
        columns={[
          { header: "Name", cell: (p) => p.name },
          { header: "Button", cell: (p) => p.displayName },
          { header: "Kind", cell: (p) => KINDS[p.kind] },
          { header: "Issuer", cell: (p) => <code>{p.issuer}</code> },
          { header: "Redirect URI", cell: (p) => <code>{p.redirectUri}</code> },
          {
            header: "Settings",
            cell: (p) => (
              <>
                {p.hasClientSecret ? (
                  <Badge tone="success">secret set</Badge>
                ) : (
                  <Badge tone="neutral">no secret</Badge>
                )}{" "}
                {p.requireMfa && <Badge tone="info">requires MFA</Badge>}{" "}
                {p.provisionIntoProvider && <Badge tone="warning">provider organization</Badge>}
              </>
            ),
          },
          {
            header: "Actions",
            cell: (p) => (
              <div className="admin-actions">
                <Button variant="ghost" onClick={() => void test(p)} aria-label={`Test ${p.name}`}>
                  Test
                </Button>
                <Button variant="ghost" onClick={() => edit(p)} aria-label={`Edit ${p.name}`}>
                  Edit
                </Button>
                <Button variant="ghost" onClick={() => setRemoving(p)} aria-label={`Remove ${p.name}`}>
                  Remove
                </Button>
                {tests[p.name] && <span role="status">{tests[p.name]}</span>}
              </div>
            ),
          },
        ]}
      />
      <ConfirmDialog
        open={removing !== undefined}
        title={`Remove ${removing?.displayName ?? ""}?`}
        description="Its button leaves the sign-in page and every account link through it is removed. Accounts stay."
        confirmLabel="Remove provider"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing, { onSuccess: () => setRemoving(undefined) })}
        onCancel={() => setRemoving(undefined)}
      />
    </section>
  );
}
