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
import { useState, type FormEvent } from "react";
import { ApiError, apiFetch } from "../../api/client.js";
import { fieldErrorsFromApi } from "../../api/field-errors.js";
import { useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  Dialog,
  Field,
  Input,
  QueryView,
  Select,
  Table,
  Textarea,
  type BadgeTone,
} from "../../components/ui/index.js";
import { parseJsonArray, parseJsonObject } from "../../lib/json.js";
import { useOrgScope } from "../../shell/org-scope.js";
import { DATA_KEY, useIntegrations, useMappings, useOAuthConnections } from "./data-queries.js";
import "./admin.css";
import "./data.css";

const STATUS_TONE: Record<OAuthProvider["connections"][number]["status"], BadgeTone> = {
  connected: "success",
  expired: "warning",
  error: "danger",
};

const connectionPath = (name: string) => `/api/oauth/connections/${encodeURIComponent(name)}`;
const integrationPath = (id: string) => `/api/integrations/${encodeURIComponent(id)}`;

/** A JSON object as the text of an edit box ("" for an empty one). */
const objectText = (value: Record<string, unknown>) =>
  Object.keys(value).length > 0 ? JSON.stringify(value, null, 2) : "";

/** The address the API sent to connect, when it is a web page the browser may open; else null. */
function webUrl(url: string): string | null {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
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
  const refused =
    save.error instanceof ApiError ? fieldErrorsFromApi(save.error.details, "body.").fields : {};
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
      <ActionError error={save.error} />
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

function OAuthConnections() {
  const connections = useOAuthConnections();
  const [editing, setEditing] = useState<OAuthProvider | null>(null);
  const [deleting, setDeleting] = useState<OAuthProvider | null>(null);
  const remove = useInvalidatingMutation(DATA_KEY, (name: string) =>
    apiFetch<undefined>(connectionPath(name), { method: "DELETE" }),
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
      <QueryView
        query={connections}
        what="the OAuth connections"
        isEmpty={(data) => data.items.length === 0}
        emptyHint={<p>Create one below with the provider&apos;s client id and URLs.</p>}
      >
        {({ items }) => (
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
              { header: "Status", cell: (p) => <ConnectionStatus provider={p} /> },
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
      </QueryView>
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing ? `Edit ${editing.name}` : "Edit connection"}
      >
        {editing && (
          <OAuthConnectionForm key={editing.id} existing={editing} onDone={() => setEditing(null)} />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onCancel={() => setDeleting(null)}
        title={deleting ? `Delete ${deleting.name}?` : "Delete connection?"}
        description="Its stored tokens are deleted too; integrations using it lose their OAuth token."
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting.name, { onSuccess: () => setDeleting(null) })}
      />
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
  const save = useInvalidatingMutation(DATA_KEY, (body: CreateIntegration) =>
    existing
      ? apiFetch<Integration>(integrationPath(existing.id), { method: "PUT", body })
      : apiFetch<Integration>("/api/integrations", { method: "POST", body }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseJsonArray(schemaText, true);
    if (!parsed.ok) {
      setSchemaError(parsed.message);
      return;
    }
    setSchemaError(undefined);
    save.mutate(
      {
        name: name.trim(),
        description: description.trim() || null,
        oauthProvider: oauthProvider || null,
        // Checked by the API (422 with the field's problem).
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

/** A hint naming an integration's config fields, for the JSON boxes of its values. */
function fieldsHint(integration: Integration, what: string): string {
  const keys = integration.configSchema.map((f) => `${f.key}${f.required ? " (required)" : ""}`);
  return `${what}, a JSON object${keys.length > 0 ? ` of ${keys.join(", ")}` : ""}. A secret shows as "[SECRET]"; leave it so to keep it, null removes a key.`;
}

/** The integration's defaults: the config every organization gets unless its mapping overrides it. */
function DefaultsForm({ integration, onDone }: { integration: Integration; onDone: () => void }) {
  const [text, setText] = useState(() => objectText(integration.defaults));
  const [error, setError] = useState<string | undefined>();
  const save = useInvalidatingMutation(DATA_KEY, (config: Record<string, unknown>) =>
    apiFetch<Integration>(`${integrationPath(integration.id)}/config`, { method: "PUT", body: { config } }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseJsonObject(text, true);
    if (!parsed.ok) {
      setError(parsed.message);
      return;
    }
    setError(undefined);
    save.mutate(parsed.value, { onSuccess: onDone });
  };
  return (
    <form onSubmit={submit} className="admin-form">
      <Field label="Default config (JSON)" hint={fieldsHint(integration, "The defaults")} error={error}>
        {(ids) => (
          <Textarea
            code
            {...ids}
            rows={6}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        )}
      </Field>
      <ActionError error={save.error} />
      <div className="data-actions">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save defaults
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

/** The per-organization mappings of an integration: list, add or edit (with their config), delete. */
function Mappings({ integration }: { integration: Integration }) {
  const mappings = useMappings(integration.id);
  const organizationName = useOrganizationName();
  const [organizationId, setOrganizationId] = useState("");
  const [entityId, setEntityId] = useState("");
  const [entityName, setEntityName] = useState("");
  const [configText, setConfigText] = useState("");
  const [configError, setConfigError] = useState<string | undefined>();
  /** The mapping the form edits (PUT); null: the form adds one (POST). */
  const [editing, setEditing] = useState<IntegrationMapping | null>(null);
  const mappingPath = (mappingId: string) =>
    `${integrationPath(integration.id)}/mappings/${encodeURIComponent(mappingId)}`;
  const save = useInvalidatingMutation(DATA_KEY, (body: UpsertMapping) =>
    editing
      ? apiFetch<IntegrationMapping>(mappingPath(editing.id), {
          method: "PUT",
          body: { entityId: body.entityId, entityName: body.entityName, config: body.config },
        })
      : apiFetch<IntegrationMapping>(`${integrationPath(integration.id)}/mappings`, { method: "POST", body }),
  );
  const reset = () => {
    setEditing(null);
    setOrganizationId("");
    setEntityId("");
    setEntityName("");
    setConfigText("");
    setConfigError(undefined);
  };
  const edit = (mapping: IntegrationMapping) => {
    setEditing(mapping);
    setOrganizationId(mapping.organizationId ?? "");
    setEntityId(mapping.entityId ?? "");
    setEntityName(mapping.entityName ?? "");
    setConfigText(Object.keys(mapping.config).length > 0 ? JSON.stringify(mapping.config, null, 2) : "");
    setConfigError(undefined);
  };
  const remove = useInvalidatingMutation(DATA_KEY, (mappingId: string) =>
    apiFetch<undefined>(mappingPath(mappingId), { method: "DELETE" }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const config = parseJsonObject(configText, true);
    if (!config.ok) {
      setConfigError(config.message);
      return;
    }
    setConfigError(undefined);
    save.mutate(
      {
        organizationId: organizationId || null,
        entityId: entityId.trim() || null,
        entityName: entityName.trim() || null,
        config: config.value,
      },
      { onSuccess: reset },
    );
  };
  return (
    <div className="admin-page">
      <QueryView query={mappings} what="the mappings" isEmpty={(data) => data.items.length === 0}>
        {({ items }) => (
          <Table
            caption={`Mappings of ${integration.name}`}
            rows={items}
            rowKey={(m) => m.id}
            columns={[
              { header: "Organization", cell: (m) => organizationName(m.organizationId) },
              {
                header: "Entity",
                cell: (m) => [m.entityName, m.entityId].filter(Boolean).join(" · ") || "—",
              },
              {
                header: "Config",
                cell: (m) =>
                  Object.keys(m.config).length > 0 ? (
                    <code className="data-value">{JSON.stringify(m.config)}</code>
                  ) : (
                    "—"
                  ),
              },
              {
                header: "Actions",
                cell: (m) => (
                  <>
                    <Button
                      onClick={() => edit(m)}
                      aria-label={`Edit the mapping of ${organizationName(m.organizationId)}`}
                    >
                      Edit
                    </Button>{" "}
                    <Button
                      variant="danger"
                      busy={remove.isPending && remove.variables === m.id}
                      onClick={() =>
                        remove.mutate(m.id, { onSuccess: () => editing?.id === m.id && reset() })
                      }
                      aria-label={`Delete the mapping of ${organizationName(m.organizationId)}`}
                    >
                      Delete
                    </Button>
                  </>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      <ActionError error={remove.error} />
      <form onSubmit={submit} className="admin-form">
        <OrganizationSelect
          label="Mapping organization"
          value={organizationId}
          onChange={setOrganizationId}
          disabled={editing !== null}
          {...(editing ? { hint: "A mapping stays with its organization; delete it to move it." } : {})}
        />
        <Field label="Entity id" hint="The organization's id at the provider (optional)">
          {(ids) => <Input {...ids} value={entityId} onChange={(e) => setEntityId(e.target.value)} />}
        </Field>
        <Field label="Entity name" hint="Optional">
          {(ids) => <Input {...ids} value={entityName} onChange={(e) => setEntityName(e.target.value)} />}
        </Field>
        <Field
          label="Mapping config (JSON)"
          hint={fieldsHint(integration, "Optional: this organization's values over the defaults")}
          error={configError}
        >
          {(ids) => (
            <Textarea
              code
              {...ids}
              rows={3}
              spellCheck={false}
              value={configText}
              onChange={(e) => setConfigText(e.target.value)}
            />
          )}
        </Field>
        <div className="admin-actions">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {editing ? "Save mapping" : "Add mapping"}
          </Button>
          {editing && <Button onClick={reset}>Cancel editing</Button>}
        </div>
        <ActionError error={save.error} />
      </form>
    </div>
  );
}

function TestResult({ integration }: { integration: Integration }) {
  const { scope } = useOrgScope();
  const test = useInvalidatingMutation(DATA_KEY, () =>
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

function Integrations({ providers }: { providers: OAuthProvider[] }) {
  const integrations = useIntegrations();
  const [editing, setEditing] = useState<Integration | null>(null);
  const [defaults, setDefaults] = useState<Integration | null>(null);
  const [mapping, setMapping] = useState<Integration | null>(null);
  const [deleting, setDeleting] = useState<Integration | null>(null);
  const remove = useInvalidatingMutation(DATA_KEY, (id: string) =>
    apiFetch<undefined>(integrationPath(id), { method: "DELETE" }),
  );
  return (
    <Card title="Integrations">
      <QueryView
        query={integrations}
        what="the integrations"
        isEmpty={(data) => data.items.length === 0}
        emptyHint={<p>Create one below; workflows read it with integrations.get(name).</p>}
      >
        {({ items }) => (
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
                    <Button onClick={() => setDefaults(i)} aria-label={`Edit defaults of ${i.name}`}>
                      Edit defaults
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
      </QueryView>
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
        open={defaults !== null}
        onOpenChange={(open) => !open && setDefaults(null)}
        title={defaults ? `Defaults of ${defaults.name}` : "Defaults"}
        description="The config every organization gets unless its mapping sets a value."
      >
        {defaults && (
          <DefaultsForm key={defaults.id} integration={defaults} onDone={() => setDefaults(null)} />
        )}
      </Dialog>
      <Dialog
        open={mapping !== null}
        onOpenChange={(open) => !open && setMapping(null)}
        title={mapping ? `Mappings of ${mapping.name}` : "Mappings"}
        description="Which organizations use the integration, their id at the provider and their config."
      >
        {mapping && <Mappings integration={mapping} />}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onCancel={() => setDeleting(null)}
        title={deleting ? `Delete ${deleting.name}?` : "Delete integration?"}
        description="Workflows that use it will no longer find it."
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      />
    </Card>
  );
}

export function IntegrationsPage() {
  const connections = useOAuthConnections();
  const providers = connections.data?.items ?? [];
  return (
    <section className="admin-page">
      <h1>Integrations</h1>
      <OAuthConnections />
      <div className="data-grid-2">
        <Card title="New OAuth connection">
          <OAuthConnectionForm />
        </Card>
        <Card title="New integration">
          <IntegrationForm providers={providers} />
        </Card>
      </div>
      <Integrations providers={providers} />
    </section>
  );
}
