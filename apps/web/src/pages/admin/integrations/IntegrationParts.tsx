/** The pieces of an integration on the Integrations page: its form, config defaults, mappings, test. */
import type {
  CreateIntegration,
  Integration,
  IntegrationMapping,
  OAuthProvider,
  UpsertMapping,
} from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../../api/client.js";
import { useInvalidatingMutation, useOrganizationName } from "../../../api/queries.js";
import { OrganizationSelect } from "../../../components/OrganizationSelect.js";
import { ActionError, Button, Field, Input, JsonField, Select } from "../../../components/ui/index.js";
import { AdminTable, EditForm, RowButton } from "../collection.js";
import { DATA_KEY, useMappings } from "../data-queries.js";
import { ConfigFieldsEditor, draftFields, toRows, type FieldsDraft } from "./ConfigFieldsEditor.js";
import { configTexts, ConfigValueInputs, type ConfigTexts, readConfig } from "./ConfigValues.js";
import { integrationPath, objectText } from "./paths.js";

export function IntegrationForm({
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
  const [fields, setFields] = useState<FieldsDraft>(() => ({
    rows: toRows(existing?.configSchema ?? []),
    json: null,
  }));
  const [schemaError, setSchemaError] = useState<string | undefined>();
  const save = useInvalidatingMutation(DATA_KEY, (body: CreateIntegration) =>
    existing
      ? apiFetch<Integration>(integrationPath(existing.id), { method: "PUT", body })
      : apiFetch<Integration>("/api/integrations", { method: "POST", body }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = draftFields(fields);
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
        configSchema: parsed.value,
      },
      {
        onSuccess: () => {
          if (!existing) {
            setName("");
            setDescription("");
            setOAuthProvider("");
            setFields({ rows: [], json: null });
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
      <ConfigFieldsEditor draft={fields} onChange={setFields} error={schemaError} />
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

/** The hint of the JSON box of an integration that declares no config fields. */
function fieldsHint(what: string): string {
  return `${what}, a JSON object. A secret shows as "[SECRET]"; leave it so to keep it, null removes a key.`;
}

/** The integration's defaults: the config every organization gets unless its mapping overrides it. */
export function DefaultsForm({ integration, onDone }: { integration: Integration; onDone: () => void }) {
  const fields = integration.configSchema;
  const [text, setText] = useState(() => objectText(integration.defaults));
  const [texts, setTexts] = useState(() => configTexts(fields, integration.defaults));
  const [error, setError] = useState<string | undefined>();
  const [errors, setErrors] = useState<Record<string, string> | undefined>();
  const save = useInvalidatingMutation(DATA_KEY, (config: Record<string, unknown>) =>
    apiFetch<Integration>(`${integrationPath(integration.id)}/config`, { method: "PUT", body: { config } }),
  );
  const submit = () => {
    const parsed = readConfig(fields, texts, text, integration.defaults);
    setErrors(parsed.ok ? undefined : parsed.errors);
    if (!parsed.ok) {
      setError(parsed.message);
      return;
    }
    setError(undefined);
    save.mutate(parsed.value, { onSuccess: onDone });
  };
  return (
    <EditForm save={save} submitLabel="Save defaults" onSubmit={submit} onCancel={onDone}>
      {fields.length > 0 ? (
        <ConfigValueInputs
          fields={fields}
          texts={texts}
          onChange={setTexts}
          errors={errors}
          labelPrefix="Default"
        />
      ) : (
        <JsonField
          label="Default config (JSON)"
          hint={fieldsHint("The defaults")}
          error={error}
          rows={6}
          value={text}
          onChange={setText}
        />
      )}
    </EditForm>
  );
}

/** The per-organization mappings of an integration: list, add or edit (with their config), delete. */
export function Mappings({ integration }: { integration: Integration }) {
  const mappings = useMappings(integration.id);
  const organizationName = useOrganizationName();
  const [organizationId, setOrganizationId] = useState("");
  const [entityId, setEntityId] = useState("");
  const [entityName, setEntityName] = useState("");
  const fields = integration.configSchema;
  const [configText, setConfigText] = useState("");
  const [texts, setTexts] = useState<ConfigTexts>(() => configTexts(fields, {}));
  const [configError, setConfigError] = useState<string | undefined>();
  const [configErrors, setConfigErrors] = useState<Record<string, string> | undefined>();
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
    setTexts(configTexts(fields, {}));
    setConfigError(undefined);
    setConfigErrors(undefined);
  };
  const edit = (mapping: IntegrationMapping) => {
    setEditing(mapping);
    setOrganizationId(mapping.organizationId ?? "");
    setEntityId(mapping.entityId ?? "");
    setEntityName(mapping.entityName ?? "");
    setConfigText(objectText(mapping.config));
    setTexts(configTexts(fields, mapping.config));
    setConfigError(undefined);
    setConfigErrors(undefined);
  };
  const remove = useInvalidatingMutation(DATA_KEY, (mapping: IntegrationMapping) =>
    apiFetch<undefined>(mappingPath(mapping.id), { method: "DELETE" }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const config = readConfig(fields, texts, configText, editing?.config ?? {});
    setConfigErrors(config.ok ? undefined : config.errors);
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
      <AdminTable
        query={mappings}
        what="the mappings"
        caption={`Mappings of ${integration.name}`}
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
                <RowButton
                  write={remove}
                  row={m}
                  onDone={() => editing?.id === m.id && reset()}
                  variant="danger"
                  aria-label={`Delete the mapping of ${organizationName(m.organizationId)}`}
                >
                  Delete
                </RowButton>
              </>
            ),
          },
        ]}
      />
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
        {fields.length > 0 ? (
          <ConfigValueInputs
            fields={fields}
            texts={texts}
            onChange={setTexts}
            errors={configErrors}
            labelPrefix="Mapping"
          />
        ) : (
          <JsonField
            label="Mapping config (JSON)"
            hint={fieldsHint("Optional: this organization's values over the defaults")}
            error={configError}
            rows={3}
            value={configText}
            onChange={setConfigText}
          />
        )}
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
