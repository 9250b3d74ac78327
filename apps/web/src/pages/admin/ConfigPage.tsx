import {
  configTypeSchema,
  SECRET_PLACEHOLDER,
  type ConfigEntry,
  type ConfigValueType,
  type CreateConfig,
  type UpdateConfig,
} from "@bifrost/contracts";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { Badge, Button, Field, Input, Options, Select, Textarea } from "../../components/ui/index.js";
import { parseJson, type Parsed } from "../../lib/json.js";
import { useOrgScope } from "../../shell/org-scope.js";
import {
  AdminTable,
  CreateCard,
  DeleteButton,
  DeleteDialog,
  EditForm,
  RowDialog,
  useAdminCollection,
} from "./collection.js";
import { DATA_KEY, useConfigEntries } from "./data-queries.js";
import "./admin.css";
import "./data.css";

const TYPES = configTypeSchema.options;

/** The value the API takes for a type, from what the user typed; a message when it cannot be. */
function toValue(type: ConfigValueType, text: string): Parsed<unknown> {
  switch (type) {
    case "int":
      // Not an integer: sent as typed, so the API's own 422 explains it.
      return { ok: true, value: /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text };
    case "bool":
      return { ok: true, value: text === "true" };
    case "json":
      return parseJson(text);
    case "secret":
      // An empty secret would blank the stored one: a secret always needs a value.
      return text === ""
        ? { ok: false, message: "Type the secret's value; an empty secret is not saved." }
        : { ok: true, value: text };
    default:
      return { ok: true, value: text };
  }
}

/** A value as text for the edit box (never a secret: those start empty). */
function toText(entry: ConfigEntry): string {
  if (entry.type === "secret") return "";
  if (entry.type === "json") return JSON.stringify(entry.value, null, 2);
  return String(entry.value);
}

function ValueCell({ entry }: { entry: ConfigEntry }) {
  if (entry.type === "secret" || entry.value === SECRET_PLACEHOLDER)
    return (
      <span className="data-secret">
        <span aria-hidden="true">••••••••</span>
        <span className="visually-hidden">hidden secret</span>
      </span>
    );
  const text = entry.type === "json" ? JSON.stringify(entry.value) : String(entry.value);
  return <code className="data-value">{text.length > 120 ? `${text.slice(0, 120)}…` : text}</code>;
}

/** The value control for a type: a password box for secrets, a true/false choice for bools. */
function ValueField({
  type,
  value,
  onChange,
  label,
  error,
}: {
  type: ConfigValueType;
  value: string;
  onChange: (value: string) => void;
  label: string;
  error?: string | undefined;
}) {
  const hint =
    type === "secret"
      ? "Stored encrypted; it is never shown again."
      : type === "json"
        ? 'Any JSON value, e.g. {"retries": 3}'
        : type === "int"
          ? "An integer"
          : undefined;
  return (
    <Field label={label} hint={hint} error={error}>
      {(ids) =>
        type === "bool" ? (
          <Select {...ids} value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="true">true</option>
            <option value="false">false</option>
          </Select>
        ) : type === "json" ? (
          <Textarea
            code
            {...ids}
            rows={4}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            spellCheck={false}
          />
        ) : (
          <Input
            {...ids}
            type={type === "secret" ? "password" : "text"}
            inputMode={type === "int" ? "numeric" : undefined}
            autoComplete={type === "secret" ? "new-password" : "off"}
            required={type === "secret"}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    </Field>
  );
}

export function ConfigPage() {
  const { scope } = useOrgScope();
  const entries = useConfigEntries(scope);
  const organizationName = useOrganizationName();

  const [key, setKey] = useState("");
  const [type, setType] = useState<ConfigValueType>("string");
  const [value, setValue] = useState("");
  const [organizationId, setOrganizationId] = useState<string>(scope ?? "");
  const [description, setDescription] = useState("");
  const [valueError, setValueError] = useState<string | undefined>();
  const create = useInvalidatingMutation(DATA_KEY, (body: CreateConfig) =>
    apiFetch<ConfigEntry>("/api/config", { method: "POST", body }),
  );

  const collection = useAdminCollection(DATA_KEY, (entry: ConfigEntry) =>
    apiFetch<undefined>(`/api/config/${encodeURIComponent(entry.id)}`, { method: "DELETE" }),
  );
  const [editValue, setEditValue] = useState("");
  const [editError, setEditError] = useState<string | undefined>();
  const update = useInvalidatingMutation(DATA_KEY, ({ id, body }: { id: string; body: UpdateConfig }) =>
    apiFetch<ConfigEntry>(`/api/config/${encodeURIComponent(id)}`, { method: "PUT", body }),
  );

  const changeType = (next: ConfigValueType) => {
    setType(next);
    setValue(next === "bool" ? "true" : "");
    setValueError(undefined);
  };

  const submit = () => {
    const parsed = toValue(type, value);
    if (!parsed.ok) {
      setValueError(parsed.message);
      return;
    }
    setValueError(undefined);
    create.mutate(
      {
        key: key.trim(),
        type,
        value: parsed.value as CreateConfig["value"],
        organizationId: organizationId || null,
        description: description.trim() || null,
      },
      {
        onSuccess: () => {
          setKey("");
          setValue(type === "bool" ? "true" : "");
          setDescription("");
        },
      },
    );
  };

  const openEdit = (entry: ConfigEntry) => {
    update.reset();
    setEditError(undefined);
    setEditValue(toText(entry));
    collection.edit(entry);
  };

  const saveEdit = (editing: ConfigEntry) => {
    const parsed = toValue(editing.type, editValue);
    if (!parsed.ok) {
      setEditError(parsed.message);
      return;
    }
    setEditError(undefined);
    update.mutate(
      { id: editing.id, body: { value: parsed.value } },
      {
        onSuccess: () => {
          collection.stopEditing();
          setEditValue("");
        },
      },
    );
  };

  return (
    <section className="admin-page">
      <h1>Config & secrets</h1>
      <CreateCard title="New entry" submitLabel="Create entry" create={create} onSubmit={submit}>
        <Field label="Key" hint="No spaces, e.g. smtp.host">
          {(ids) => <Input {...ids} value={key} onChange={(e) => setKey(e.target.value)} required />}
        </Field>
        <Field label="Type">
          {(ids) => (
            <Select {...ids} value={type} onChange={(e) => changeType(e.target.value as ConfigValueType)}>
              <Options values={TYPES} />
            </Select>
          )}
        </Field>
        <ValueField type={type} value={value} onChange={setValue} label="Value" error={valueError} />
        <OrganizationSelect
          value={organizationId}
          onChange={setOrganizationId}
          hint="Global entries are shared by every organization."
        />
        <Field label="Description" hint="Optional">
          {(ids) => <Input {...ids} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
      </CreateCard>

      <AdminTable
        query={entries}
        what="the config entries"
        caption="Config entries"
        emptyHint={<p>Create one above; workflows read them with config.get(key).</p>}
        columns={[
          { header: "Key", cell: (e) => <code>{e.key}</code> },
          {
            header: "Type",
            cell: (e) => <Badge tone={e.type === "secret" ? "warning" : "neutral"}>{e.type}</Badge>,
          },
          { header: "Value", cell: (e) => <ValueCell entry={e} /> },
          { header: "Scope", cell: (e) => organizationName(e.organizationId) },
          {
            header: "Actions",
            cell: (e) => (
              <div className="data-actions">
                <Button onClick={() => openEdit(e)} aria-label={`Edit ${e.key}`}>
                  Edit
                </Button>
                <DeleteButton collection={collection} row={e} name={e.key} />
              </div>
            ),
          },
        ]}
      />

      <RowDialog
        row={collection.editing}
        onClose={collection.stopEditing}
        title={(entry) => `Edit ${entry.key}`}
        description={(entry) =>
          entry.type === "secret" ? "Type the new secret; the current one is never shown." : undefined
        }
      >
        {(entry) => (
          <EditForm save={update} onSubmit={() => saveEdit(entry)} onCancel={collection.stopEditing}>
            <ValueField
              type={entry.type}
              value={editValue}
              onChange={setEditValue}
              label={entry.type === "secret" ? "New value" : "Value"}
              error={editError}
            />
          </EditForm>
        )}
      </RowDialog>

      <DeleteDialog
        collection={collection}
        title={(entry) => `Delete ${entry.key}?`}
        description="Workflows that read this key will no longer find it."
      />
    </section>
  );
}
