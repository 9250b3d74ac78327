import {
  configTypeSchema,
  type ConfigEntry,
  type ConfigValueType,
  type CreateConfig,
  type UpdateConfig,
} from "@bifrost/contracts";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import { Badge, Button, Field, Input, Options, Select } from "../../components/ui/index.js";
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
import { toText, toValue, ValueCell, ValueField } from "./config-value.js";
import { DATA_KEY, useConfigEntries } from "./data-queries.js";
import "./admin.css";
import "./data.css";

const TYPES = configTypeSchema.options;
/** The fields that show the server's messages about them; the others' go above the buttons. */
const CREATE_FIELDS = ["key", "type", "value", "description"];
const EDIT_FIELDS = ["value"];

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

  const createErrors = formErrors(create.error, CREATE_FIELDS);
  const updateErrors = formErrors(update.error, EDIT_FIELDS);

  return (
    <section className="admin-page">
      <h1>Config & secrets</h1>
      <CreateCard
        title="New entry"
        submitLabel="Create entry"
        create={create}
        shown={CREATE_FIELDS}
        onSubmit={submit}
      >
        <Field label="Key" hint="No spaces, e.g. smtp.host" error={createErrors.fields.key}>
          {(ids) => <Input {...ids} value={key} onChange={(e) => setKey(e.target.value)} required />}
        </Field>
        <Field label="Type" error={createErrors.fields.type}>
          {(ids) => (
            <Select {...ids} value={type} onChange={(e) => changeType(e.target.value as ConfigValueType)}>
              <Options values={TYPES} />
            </Select>
          )}
        </Field>
        <ValueField
          type={type}
          value={value}
          onChange={setValue}
          label="Value"
          error={valueError ?? createErrors.fields.value}
        />
        <OrganizationSelect
          value={organizationId}
          onChange={setOrganizationId}
          hint="Global entries are shared by every organization."
        />
        <Field label="Description" hint="Optional" error={createErrors.fields.description}>
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
          <EditForm
            save={update}
            shown={EDIT_FIELDS}
            onSubmit={() => saveEdit(entry)}
            onCancel={collection.stopEditing}
          >
            <ValueField
              type={entry.type}
              value={editValue}
              onChange={setEditValue}
              label={entry.type === "secret" ? "New value" : "Value"}
              error={editError ?? updateErrors.fields.value}
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
