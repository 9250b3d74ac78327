/** The OAuth connections of the Integrations page: create, edit, delete, connect, their status. */
import type { CreateOAuthProvider, OAuthProvider, UpdateOAuthProvider } from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../../api/client.js";
import { formErrors } from "../../../api/field-errors.js";
import { useInvalidatingMutation, useOrganizationName } from "../../../api/queries.js";
import { OrganizationSelect } from "../../../components/OrganizationSelect.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  Field,
  Input,
  Select,
  type BadgeTone,
} from "../../../components/ui/index.js";
import { useOrgScope } from "../../../shell/org-scope.js";
import {
  AdminTable,
  DeleteButton,
  DeleteDialog,
  EditButton,
  RowDialog,
  useAdminCollection,
} from "../collection.js";
import { DATA_KEY, useOAuthConnections } from "../data-queries.js";
import "../admin.css";
import "../data.css";
import { connectionPath } from "./paths.js";

const STATUS_TONE: Record<OAuthProvider["connections"][number]["status"], BadgeTone> = {
  connected: "success",
  expired: "warning",
  error: "danger",
};

/** The address the API sent to connect, when it is a web page the browser may open; else null. */
function webUrl(url: string): string | null {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

type ProviderDraft = {
  name: string;
  flow: "authorization_code" | "client_credentials";
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  scopes: string;
  audience: string;
};

function draftOf(provider?: OAuthProvider): ProviderDraft {
  return {
    name: provider?.name ?? "",
    flow: provider?.flow ?? "authorization_code",
    clientId: provider?.clientId ?? "",
    clientSecret: "",
    authorizeUrl: provider?.authorizeUrl ?? "",
    tokenUrl: provider?.tokenUrl ?? "",
    scopes: provider?.scopes.join(" ") ?? "",
    audience: provider?.audience ?? "",
  };
}

const OAUTH_FIELDS = ["name", "clientId", "authorizeUrl", "tokenUrl"]; // show the server's messages
const splitScopes = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** Creates a connection, or edits `existing` (its name is fixed; an empty secret keeps the stored one). */
export function OAuthConnectionForm({ existing, onDone }: { existing?: OAuthProvider; onDone?: () => void }) {
  const [draft, setDraft] = useState<ProviderDraft>(() => draftOf(existing));
  const set = (field: keyof ProviderDraft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: e.target.value }));
  const save = useInvalidatingMutation(DATA_KEY, async (d: ProviderDraft) => {
    const common = {
      flow: d.flow,
      clientId: d.clientId.trim(),
      authorizeUrl: d.authorizeUrl.trim() || null,
      tokenUrl: d.tokenUrl.trim(),
      scopes: splitScopes(d.scopes),
      audience: d.audience.trim() || null,
    };
    if (existing) {
      const body: UpdateOAuthProvider = {
        ...common,
        ...(d.clientSecret ? { clientSecret: d.clientSecret } : {}),
      };
      return await apiFetch<OAuthProvider>(connectionPath(existing.name), { method: "PUT", body });
    }
    const body: CreateOAuthProvider = {
      ...common,
      name: d.name.trim(),
      clientSecret: d.clientSecret || null,
      extraTokenParams: {},
    };
    return await apiFetch<OAuthProvider>("/api/oauth/connections", { method: "POST", body });
  });
  // A 422 names the fields it refuses (e.g. an authorize URL that is not http(s)): shown on them.
  const refused = formErrors(save.error, OAUTH_FIELDS).fields;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(draft, {
      onSuccess: () => {
        if (!existing) setDraft(draftOf());
        onDone?.();
      },
    });
  };
  return (
    <form onSubmit={submit} className="admin-form">
      {!existing && (
        <Field label="Connection name" hint="Letters, digits, '.', '_' and '-'" error={refused["name"]}>
          {(ids) => <Input {...ids} value={draft.name} onChange={set("name")} required />}
        </Field>
      )}
      <Field label="Flow">
        {(ids) => (
          <Select {...ids} value={draft.flow} onChange={set("flow")}>
            <option value="authorization_code">authorization code (a user connects)</option>
            <option value="client_credentials">client credentials (no user)</option>
          </Select>
        )}
      </Field>
      <Field label="Client id" error={refused["clientId"]}>
        {(ids) => (
          <Input {...ids} value={draft.clientId} onChange={set("clientId")} required autoComplete="off" />
        )}
      </Field>
      <Field
        label="Client secret"
        hint={
          existing
            ? existing.hasClientSecret
              ? "A secret is stored; leave empty to keep it."
              : "No secret is stored."
            : "Stored encrypted; never shown again."
        }
      >
        {(ids) => (
          <Input
            {...ids}
            type="password"
            autoComplete="new-password"
            value={draft.clientSecret}
            onChange={set("clientSecret")}
          />
        )}
      </Field>
      {draft.flow === "authorization_code" && (
        <Field
          label="Authorize URL"
          hint="The provider's page a user is sent to"
          error={refused["authorizeUrl"]}
        >
          {(ids) => (
            <Input {...ids} type="url" value={draft.authorizeUrl} onChange={set("authorizeUrl")} required />
          )}
        </Field>
      )}
      <Field label="Token URL" error={refused["tokenUrl"]}>
        {(ids) => <Input {...ids} type="url" value={draft.tokenUrl} onChange={set("tokenUrl")} required />}
      </Field>
      <Field label="Scopes" hint="Separated by spaces or commas">
        {(ids) => <Input {...ids} value={draft.scopes} onChange={set("scopes")} />}
      </Field>
      <Field label="Audience" hint="Optional">
        {(ids) => <Input {...ids} value={draft.audience} onChange={set("audience")} />}
      </Field>
      <div className="data-actions">
        <Button type="submit" variant="primary" busy={save.isPending}>
          {existing ? "Save connection" : "Create connection"}
        </Button>
        {onDone && existing && <Button onClick={onDone}>Cancel</Button>}
      </div>
      <ActionError error={save.error} shown={OAUTH_FIELDS} />
    </form>
  );
}

function ConnectionStatus({ provider }: { provider: OAuthProvider }) {
  const organizationName = useOrganizationName();
  if (provider.connections.length === 0) return <span className="data-muted">not connected</span>;
  return (
    <ul className="data-connections">
      {provider.connections.map((c) => (
        <li key={c.organizationId ?? "global"}>
          {organizationName(c.organizationId)}: <Badge tone={STATUS_TONE[c.status]}>{c.status}</Badge>
          {c.expiresAt && (
            <span className="data-muted"> expires {new Date(c.expiresAt).toLocaleString()}</span>
          )}
          {c.lastError && <span className="ui-field__error"> {c.lastError}</span>}
        </li>
      ))}
    </ul>
  );
}

function ConnectButton({ provider }: { provider: OAuthProvider }) {
  const { scope } = useOrgScope();
  const [organizationId, setOrganizationId] = useState(scope ?? "");
  const [unsafeUrl, setUnsafeUrl] = useState(false);
  const authorize = useInvalidatingMutation(DATA_KEY, (orgId: string) =>
    apiFetch<{ url: string }>(`${connectionPath(provider.name)}/authorize`, {
      method: "POST",
      body: { organizationId: orgId || null },
    }),
  );
  if (provider.flow !== "authorization_code")
    return <span className="data-muted">client credentials: tokens are fetched when a run asks</span>;
  const connect = () => {
    setUnsafeUrl(false);
    authorize.mutate(organizationId, {
      // The provider sends the browser back to the API's callback, which stores the tokens.
      onSuccess: ({ url }) => {
        const target = webUrl(url);
        if (target) window.location.assign(target);
        else setUnsafeUrl(true);
      },
    });
  };
  return (
    <div className="data-actions">
      <OrganizationSelect
        label={`Connect ${provider.name} for`}
        value={organizationId}
        onChange={setOrganizationId}
      />
      <Button
        variant="primary"
        busy={authorize.isPending}
        onClick={connect}
        aria-label={`Connect ${provider.name}`}
      >
        Connect
      </Button>
      <ActionError error={authorize.error} />
      {unsafeUrl && (
        <p className="ui-field__error" role="alert">
          The provider&apos;s authorize address is not an http(s) web page: not opened. Check the
          connection&apos;s Authorize URL.
        </p>
      )}
    </div>
  );
}

export function OAuthConnections() {
  const connections = useOAuthConnections();
  const collection = useAdminCollection(DATA_KEY, (provider: OAuthProvider) =>
    apiFetch<undefined>(connectionPath(provider.name), { method: "DELETE" }),
  );
  return (
    <Card
      title="OAuth connections"
      actions={
        <Button onClick={() => void connections.refetch()} busy={connections.isFetching}>
          Refresh status
        </Button>
      }
    >
      <AdminTable
        query={connections}
        what="the OAuth connections"
        caption="OAuth connections"
        emptyHint={<p>Create one below with the provider&apos;s client id and URLs.</p>}
        columns={[
          {
            header: "Name",
            cell: (p) => (
              <>
                <strong>{p.name}</strong>
                <br />
                <span className="data-muted">{p.flow.replace("_", " ")}</span>
              </>
            ),
          },
          {
            header: "Provider",
            cell: (p) => (
              <>
                <span className="data-value">{p.clientId}</span>
                <br />
                <span className="data-muted">{p.scopes.join(" ") || "no scopes"}</span>
              </>
            ),
          },
          { header: "Status", cell: (p) => <ConnectionStatus provider={p} /> },
          { header: "Connect", cell: (p) => <ConnectButton provider={p} /> },
          {
            header: "Actions",
            cell: (p) => (
              <div className="data-actions">
                <EditButton collection={collection} row={p} name={p.name} />
                <DeleteButton collection={collection} row={p} name={p.name} />
              </div>
            ),
          },
        ]}
      />
      <RowDialog row={collection.editing} onClose={collection.stopEditing} title={(p) => `Edit ${p.name}`}>
        {(p) => <OAuthConnectionForm key={p.id} existing={p} onDone={collection.stopEditing} />}
      </RowDialog>
      <DeleteDialog
        collection={collection}
        title={(p) => `Delete ${p.name}?`}
        description="Its stored tokens are deleted too; integrations using it lose their OAuth token."
      />
    </Card>
  );
}
