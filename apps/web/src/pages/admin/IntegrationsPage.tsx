import type {
  CreateIntegration,
  CreateOAuthProvider,
  Integration,
  IntegrationConfigField,
  IntegrationMapping,
  OAuthProvider,
  UpdateOAuthProvider,
  UpsertMapping,
} from "@bifrost/contracts";
import { useMemo, useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  Input,
  Select,
  Spinner,
  Table,
  Textarea,
  type BadgeTone,
} from "../../components/ui/index.js";
import { useOrgScope } from "../../shell/org-scope.js";
import {
  parseJson,
  scopeName,
  useDataAction,
  useIntegrations,
  useMappings,
  useOAuthConnections,
} from "./data-queries.js";
import { useOrganizations } from "./queries.js";
import "./admin.css";
import "./data.css";

type Names = Map<string, string>;

const STATUS_TONE: Record<OAuthProvider["connections"][number]["status"], BadgeTone> = {
  connected: "success",
  expired: "warning",
  error: "danger",
};

const connectionPath = (name: string) => `/api/oauth/connections/${encodeURIComponent(name)}`;
const integrationPath = (id: string) => `/api/integrations/${encodeURIComponent(id)}`;

function OrganizationOptions() {
  const organizations = useOrganizations();
  return (
    <>
      <option value="">Global</option>
      {(organizations.data?.items ?? []).map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// OAuth connections

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

const splitScopes = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** Creates a connection, or edits `existing` (its name is fixed; an empty secret keeps the stored one). */
function OAuthConnectionForm({ existing, onDone }: { existing?: OAuthProvider; onDone?: () => void }) {
  const [draft, setDraft] = useState<ProviderDraft>(() => draftOf(existing));
  const set = (field: keyof ProviderDraft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: e.target.value }));
  const save = useDataAction(async (d: ProviderDraft) => {
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
        <Field label="Connection name" hint="Letters, digits, '.', '_' and '-'">
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
      <Field label="Client id">
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
        <Field label="Authorize URL" hint="The provider's page a user is sent to">
          {(ids) => (
            <Input {...ids} type="url" value={draft.authorizeUrl} onChange={set("authorizeUrl")} required />
          )}
        </Field>
      )}
      <Field label="Token URL">
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
      <ActionError error={save.error} />
    </form>
  );
}

function ConnectionStatus({ provider, names }: { provider: OAuthProvider; names: Names }) {
  if (provider.connections.length === 0) return <span className="data-muted">not connected</span>;
  return (
    <ul className="data-connections">
      {provider.connections.map((c) => (
        <li key={c.organizationId ?? "global"}>
          {scopeName(c.organizationId, names)}: <Badge tone={STATUS_TONE[c.status]}>{c.status}</Badge>
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
  const authorize = useDataAction((orgId: string) =>
    apiFetch<{ url: string }>(`${connectionPath(provider.name)}/authorize`, {
      method: "POST",
      body: { organizationId: orgId || null },
    }),
  );
  if (provider.flow !== "authorization_code")
    return <span className="data-muted">client credentials: tokens are fetched when a run asks</span>;
  const connect = () =>
    authorize.mutate(organizationId, {
      // The provider sends the browser back to the API's callback, which stores the tokens.
      onSuccess: ({ url }) => window.location.assign(url),
    });
  return (
    <div className="data-actions">
      <Field label={`Connect ${provider.name} for`}>
        {(ids) => (
          <Select {...ids} value={organizationId} onChange={(e) => setOrganizationId(e.target.value)}>
            <OrganizationOptions />
          </Select>
        )}
      </Field>
      <Button
        variant="primary"
        busy={authorize.isPending}
        onClick={connect}
        aria-label={`Connect ${provider.name}`}
      >
        Connect
      </Button>
      <ActionError error={authorize.error} />
    </div>
  );
}

function OAuthConnections({ names }: { names: Names }) {
  const connections = useOAuthConnections();
  const [editing, setEditing] = useState<OAuthProvider | null>(null);
  const [deleting, setDeleting] = useState<OAuthProvider | null>(null);
  const remove = useDataAction((name: string) =>
    apiFetch<undefined>(connectionPath(name), { method: "DELETE" }),
  );
  const items = connections.data?.items ?? [];
  return (
    <Card
      title="OAuth connections"
      actions={
        <Button onClick={() => void connections.refetch()} busy={connections.isFetching}>
          Refresh status
        </Button>
      }
    >
      {connections.isPending ? (
        <Spinner />
      ) : connections.isError ? (
        <ErrorState
          title="Could not load the OAuth connections"
          error={connections.error}
          onRetry={() => void connections.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState title="No OAuth connections yet.">
          <p>Create one below with the provider&apos;s client id and URLs.</p>
        </EmptyState>
      ) : (
        <Table
          caption="OAuth connections"
          rows={items}
          rowKey={(p) => p.id}
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
            { header: "Status", cell: (p) => <ConnectionStatus provider={p} names={names} /> },
            { header: "Connect", cell: (p) => <ConnectButton provider={p} /> },
            {
              header: "Actions",
              cell: (p) => (
                <div className="data-actions">
                  <Button onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                    Edit
                  </Button>
                  <Button
                    variant="danger"
                    onClick={() => {
                      remove.reset();
                      setDeleting(p);
                    }}
                    aria-label={`Delete ${p.name}`}
                  >
                    Delete
                  </Button>
                </div>
              ),
            },
          ]}
        />
      )}
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing ? `Edit ${editing.name}` : "Edit connection"}
      >
        {editing && (
          <OAuthConnectionForm key={editing.id} existing={editing} onDone={() => setEditing(null)} />
        )}
      </Dialog>
      <Dialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={deleting ? `Delete ${deleting.name}?` : "Delete connection?"}
        description="Its stored tokens are deleted too; integrations using it lose their OAuth token."
        footer={
          <>
            <Button onClick={() => setDeleting(null)}>Cancel</Button>
            <Button
              variant="danger"
              busy={remove.isPending}
              onClick={() => deleting && remove.mutate(deleting.name, { onSuccess: () => setDeleting(null) })}
            >
              Delete
            </Button>
          </>
        }
      >
        <ActionError error={remove.error} />
      </Dialog>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// Integrations

function IntegrationForm({
  existing,
  providers,
  onDone,
}: {
  existing?: Integration;
  providers: OAuthProvider[];
  onDone?: () => void;
}) {
  const [name, setName] = useState(existing?.name ?? "");
  const [description, setDescription] = useState(existing?.description ?? "");
  const [oauthProvider, setOAuthProvider] = useState(existing?.oauthProvider ?? "");
  const [schemaText, setSchemaText] = useState(JSON.stringify(existing?.configSchema ?? [], null, 2));
  const [schemaError, setSchemaError] = useState<string | undefined>();
  const save = useDataAction((body: CreateIntegration) =>
    existing
      ? apiFetch<Integration>(integrationPath(existing.id), { method: "PUT", body })
      : apiFetch<Integration>("/api/integrations", { method: "POST", body }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseJson(schemaText.trim() || "[]");
    if (!parsed.ok || !Array.isArray(parsed.value)) {
      setSchemaError(parsed.ok ? "Must be a JSON array of fields" : parsed.message);
      return;
    }
    setSchemaError(undefined);
    save.mutate(
      {
        name: name.trim(),
        description: description.trim() || null,
        oauthProvider: oauthProvider || null,
        configSchema: parsed.value as IntegrationConfigField[],
      },
      {
        onSuccess: () => {
          if (!existing) {
            setName("");
            setDescription("");
            setOAuthProvider("");
            setSchemaText("[]");
          }
          onDone?.();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="admin-form">
      <Field label="Integration name" hint="Letters, digits, '.', '_' and '-'">
        {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field label="Description" hint="Optional">
        {(ids) => <Input {...ids} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <Field label="OAuth connection" hint="Whose tokens runs get with integrations.get(name)">
        {(ids) => (
          <Select {...ids} value={oauthProvider} onChange={(e) => setOAuthProvider(e.target.value)}>
            <option value="">None</option>
            {providers.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field
        label="Config fields (JSON)"
        hint='e.g. [{"key": "tenant", "type": "string", "required": true}, {"key": "apiKey", "type": "string", "secret": true}]'
        error={schemaError}
      >
        {(ids) => (
          <Textarea
            code
            {...ids}
            rows={4}
            spellCheck={false}
            value={schemaText}
            onChange={(e) => setSchemaText(e.target.value)}
          />
        )}
      </Field>
      <div className="data-actions">
        <Button type="submit" variant="primary" busy={save.isPending}>
          {existing ? "Save integration" : "Create integration"}
        </Button>
        {onDone && existing && <Button onClick={onDone}>Cancel</Button>}
      </div>
      <ActionError error={save.error} />
    </form>
  );
}

/** The per-organization mappings of an integration: list, add, delete. */
function Mappings({ integration, names }: { integration: Integration; names: Names }) {
  const mappings = useMappings(integration.id);
  const [organizationId, setOrganizationId] = useState("");
  const [entityId, setEntityId] = useState("");
  const [entityName, setEntityName] = useState("");
  const create = useDataAction((body: UpsertMapping) =>
    apiFetch<IntegrationMapping>(`${integrationPath(integration.id)}/mappings`, { method: "POST", body }),
  );
  const remove = useDataAction((mappingId: string) =>
    apiFetch<undefined>(`${integrationPath(integration.id)}/mappings/${encodeURIComponent(mappingId)}`, {
      method: "DELETE",
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        organizationId: organizationId || null,
        entityId: entityId.trim() || null,
        entityName: entityName.trim() || null,
        config: {},
      },
      {
        onSuccess: () => {
          setEntityId("");
          setEntityName("");
        },
      },
    );
  };
  const items = mappings.data?.items ?? [];
  return (
    <div className="admin-page">
      {mappings.isPending ? (
        <Spinner />
      ) : mappings.isError ? (
        <ErrorState
          title="Could not load the mappings"
          error={mappings.error}
          onRetry={() => void mappings.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState title="No mappings yet." />
      ) : (
        <Table
          caption={`Mappings of ${integration.name}`}
          rows={items}
          rowKey={(m) => m.id}
          columns={[
            { header: "Organization", cell: (m) => scopeName(m.organizationId, names) },
            { header: "Entity", cell: (m) => [m.entityName, m.entityId].filter(Boolean).join(" · ") || "—" },
            {
              header: "Actions",
              cell: (m) => (
                <Button
                  variant="danger"
                  busy={remove.isPending && remove.variables === m.id}
                  onClick={() => remove.mutate(m.id)}
                  aria-label={`Delete the mapping of ${scopeName(m.organizationId, names)}`}
                >
                  Delete
                </Button>
              ),
            },
          ]}
        />
      )}
      <ActionError error={remove.error} />
      <form onSubmit={submit} className="admin-form">
        <Field label="Mapping organization">
          {(ids) => (
            <Select {...ids} value={organizationId} onChange={(e) => setOrganizationId(e.target.value)}>
              <OrganizationOptions />
            </Select>
          )}
        </Field>
        <Field label="Entity id" hint="The organization's id at the provider (optional)">
          {(ids) => <Input {...ids} value={entityId} onChange={(e) => setEntityId(e.target.value)} />}
        </Field>
        <Field label="Entity name" hint="Optional">
          {(ids) => <Input {...ids} value={entityName} onChange={(e) => setEntityName(e.target.value)} />}
        </Field>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Add mapping
        </Button>
        <ActionError error={create.error} />
      </form>
    </div>
  );
}

function TestResult({ integration }: { integration: Integration }) {
  const { scope } = useOrgScope();
  const test = useDataAction(() =>
    apiFetch<{ ok: boolean; problems: string[] }>(`${integrationPath(integration.id)}/test`, {
      method: "POST",
      body: { organizationId: scope },
    }),
  );
  return (
    <div>
      <Button
        onClick={() => test.mutate(undefined)}
        busy={test.isPending}
        aria-label={`Test ${integration.name}`}
      >
        Test
      </Button>
      {test.data && (
        <p role="status">
          {test.data.ok ? (
            <Badge tone="success">ready</Badge>
          ) : (
            <>
              <Badge tone="danger">not ready</Badge> {test.data.problems.join("; ")}
            </>
          )}
        </p>
      )}
      <ActionError error={test.error} />
    </div>
  );
}

function Integrations({ names, providers }: { names: Names; providers: OAuthProvider[] }) {
  const integrations = useIntegrations();
  const [editing, setEditing] = useState<Integration | null>(null);
  const [mapping, setMapping] = useState<Integration | null>(null);
  const [deleting, setDeleting] = useState<Integration | null>(null);
  const remove = useDataAction((id: string) =>
    apiFetch<undefined>(integrationPath(id), { method: "DELETE" }),
  );
  const items = integrations.data?.items ?? [];
  return (
    <Card title="Integrations">
      {integrations.isPending ? (
        <Spinner />
      ) : integrations.isError ? (
        <ErrorState
          title="Could not load the integrations"
          error={integrations.error}
          onRetry={() => void integrations.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState title="No integrations yet.">
          <p>Create one below; workflows read it with integrations.get(name).</p>
        </EmptyState>
      ) : (
        <Table
          caption="Integrations"
          rows={items}
          rowKey={(i) => i.id}
          columns={[
            {
              header: "Name",
              cell: (i) => (
                <>
                  <strong>{i.name}</strong>
                  {i.description && (
                    <>
                      <br />
                      <span className="data-muted">{i.description}</span>
                    </>
                  )}
                </>
              ),
            },
            { header: "OAuth connection", cell: (i) => i.oauthProvider ?? "—" },
            {
              header: "Config fields",
              cell: (i) => i.configSchema.map((f) => f.key).join(", ") || "—",
            },
            { header: "Check", cell: (i) => <TestResult integration={i} /> },
            {
              header: "Actions",
              cell: (i) => (
                <div className="data-actions">
                  <Button onClick={() => setMapping(i)} aria-label={`Mappings of ${i.name}`}>
                    Mappings
                  </Button>
                  <Button onClick={() => setEditing(i)} aria-label={`Edit ${i.name}`}>
                    Edit
                  </Button>
                  <Button
                    variant="danger"
                    onClick={() => {
                      remove.reset();
                      setDeleting(i);
                    }}
                    aria-label={`Delete ${i.name}`}
                  >
                    Delete
                  </Button>
                </div>
              ),
            },
          ]}
        />
      )}
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing ? `Edit ${editing.name}` : "Edit integration"}
      >
        {editing && (
          <IntegrationForm
            key={editing.id}
            existing={editing}
            providers={providers}
            onDone={() => setEditing(null)}
          />
        )}
      </Dialog>
      <Dialog
        open={mapping !== null}
        onOpenChange={(open) => !open && setMapping(null)}
        title={mapping ? `Mappings of ${mapping.name}` : "Mappings"}
        description="Which organizations use the integration, and their id at the provider."
      >
        {mapping && <Mappings integration={mapping} names={names} />}
      </Dialog>
      <Dialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={deleting ? `Delete ${deleting.name}?` : "Delete integration?"}
        description="Workflows that use it will no longer find it."
        footer={
          <>
            <Button onClick={() => setDeleting(null)}>Cancel</Button>
            <Button
              variant="danger"
              busy={remove.isPending}
              onClick={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
            >
              Delete
            </Button>
          </>
        }
      >
        <ActionError error={remove.error} />
      </Dialog>
    </Card>
  );
}

export function IntegrationsPage() {
  const organizations = useOrganizations();
  const connections = useOAuthConnections();
  const names = useMemo(
    () => new Map((organizations.data?.items ?? []).map((o) => [o.id, o.name])),
    [organizations.data],
  );
  const providers = connections.data?.items ?? [];
  return (
    <section className="admin-page">
      <h1>Integrations</h1>
      <OAuthConnections names={names} />
      <div className="data-grid-2">
        <Card title="New OAuth connection">
          <OAuthConnectionForm />
        </Card>
        <Card title="New integration">
          <IntegrationForm providers={providers} />
        </Card>
      </div>
      <Integrations names={names} providers={providers} />
    </section>
  );
}
