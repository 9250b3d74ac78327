import {
  configTypeSchema,
  SECRET_PLACEHOLDER,
  type ConfigEntry,
  type ConfigValueType,
  type CreateConfig,
  type UpdateConfig,
} from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
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
  LoadMore,
  QueryView,
  Select,
  Table,
  Textarea,
} from "../../components/ui/index.js";
import { parseJson, type Parsed } from "../../lib/json.js";
import { useOrgScope } from "../../shell/org-scope.js";
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

  const [editing, setEditing] = useState<ConfigEntry | null>(null);
  const [editValue, setEditValue] = useState("");
  const [editError, setEditError] = useState<string | undefined>();
  const update = useInvalidatingMutation(DATA_KEY, ({ id, body }: { id: string; body: UpdateConfig }) =>
    apiFetch<ConfigEntry>(`/api/config/${encodeURIComponent(id)}`, { method: "PUT", body }),
  );

  const [deleting, setDeleting] = useState<ConfigEntry | null>(null);
  const remove = useInvalidatingMutation(DATA_KEY, (id: string) =>
    apiFetch<undefined>(`/api/config/${encodeURIComponent(id)}`, { method: "DELETE" }),
  );

  const changeType = (next: ConfigValueType) => {
    setType(next);
    setValue(next === "bool" ? "true" : "");
    setValueError(undefined);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
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
    setEditing(entry);
  };

  const saveEdit = (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
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
          setEditing(null);
          setEditValue("");
        },
      },
    );
  };

  return (
    <section className="admin-page">
      <h1>Config & secrets</h1>
      <Card title="New entry">
        <form onSubmit={submit} className="admin-form">
          <Field label="Key" hint="No spaces, e.g. smtp.host">
            {(ids) => <Input {...ids} value={key} onChange={(e) => setKey(e.target.value)} required />}
          </Field>
          <Field label="Type">
            {(ids) => (
              <Select {...ids} value={type} onChange={(e) => changeType(e.target.value as ConfigValueType)}>
                {TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
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
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create entry
          </Button>
          <ActionError error={create.error} />
        </form>
      </Card>

      <QueryView
        query={entries}
        what="the config entries"
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        emptyHint={<p>Create one above; workflows read them with config.get(key).</p>}
      >
        {(data) => (
          <>
            <Table
              caption="Config entries"
              rows={data.pages.flatMap((page) => page.items)}
              rowKey={(e) => e.id}
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
                      <Button
                        variant="danger"
                        onClick={() => {
                          remove.reset();
                          setDeleting(e);
                        }}
                        aria-label={`Delete ${e.key}`}
                      >
                        Delete
                      </Button>
                    </div>
                  ),
                },
              ]}
            />
            <LoadMore query={entries} />
          </>
        )}
      </QueryView>

      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing ? `Edit ${editing.key}` : "Edit"}
        description={
          editing?.type === "secret" ? "Type the new secret; the current one is never shown." : undefined
        }
      >
        {editing && (
          <form onSubmit={saveEdit} className="admin-form">
            <ValueField
              type={editing.type}
              value={editValue}
              onChange={setEditValue}
              label={editing.type === "secret" ? "New value" : "Value"}
              error={editError}
            />
            <ActionError error={update.error} />
            <div className="data-actions">
              <Button type="submit" variant="primary" busy={update.isPending}>
                Save
              </Button>
              <Button onClick={() => setEditing(null)}>Cancel</Button>
            </div>
          </form>
        )}
      </Dialog>

      <ConfirmDialog
        open={deleting !== null}
        onCancel={() => setDeleting(null)}
        title={deleting ? `Delete ${deleting.key}?` : "Delete?"}
        description="Workflows that read this key will no longer find it."
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      />
    </section>
  );
}
