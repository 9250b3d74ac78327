import type { Form, Workflow } from "@bifrost/contracts";
import { useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../../api/client.js";
import { fieldErrorsFromApi } from "../../api/field-errors.js";
import { useAllRoles, useAllWorkflows } from "../../api/queries.js";
import { OrganizationSelect } from "../../components/OrganizationSelect.js";
import {
  Button,
  Card,
  errorMessage,
  ErrorState,
  Field,
  Input,
  Select,
  Spinner,
  Textarea,
} from "../../components/ui/index.js";
import { useOrgScope } from "../../shell/org-scope.js";
import { PageLoadError } from "../../shell/PageLoadError.js";
import { useForm, useSaveForm } from "./api.js";
import { bodyOf, draftOf, draftProblems, fieldOf, newField, type Draft, type DraftField } from "./draft.js";
import { FormFields } from "./FormFields.js";
import { initialValues, type Values } from "./values.js";
import "./forms.css";
import { FieldEditor } from "./FieldEditor.js";

export function FormBuilderPage() {
  const { formId } = useParams();
  const form = useForm(formId);
  const { scope } = useOrgScope();
  if (formId && form.isPending) return <Spinner label="Loading the form…" />;
  if (formId && form.isError)
    return (
      <PageLoadError
        className="form-page"
        heading="Edit form"
        what="the form"
        error={form.error}
        onRetry={() => void form.refetch()}
      />
    );
  return <Builder key={form.data?.id ?? "new"} form={form.data} scope={scope} />;
}

function Builder({ form, scope }: { form: Form | undefined; scope: string | null }) {
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(() => draftOf(form, scope));
  const [checked, setChecked] = useState(false);
  const workflows = useAllWorkflows();
  const roles = useAllRoles();
  const save = useSaveForm(form?.id);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setField = (key: string, patch: Partial<DraftField>) =>
    setDraft((d) => ({ ...d, fields: d.fields.map((f) => (f.key === key ? { ...f, ...patch } : f)) }));
  const move = (index: number, by: -1 | 1) =>
    setDraft((d) => {
      const fields = [...d.fields];
      const [item] = fields.splice(index, 1);
      if (item) fields.splice(index + by, 0, item);
      return { ...d, fields };
    });

  const allWorkflows = workflows.data ?? [];
  const runnable = allWorkflows.filter((w) => w.type !== "data_provider");
  const providers = allWorkflows.filter((w) => w.type === "data_provider");
  const problems = draftProblems(draft);
  const apiErrors =
    save.error instanceof ApiError && save.error.status === 422
      ? builderErrorsFromApi(save.error.details)
      : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (Object.keys(problems).length > 0) return;
    save.mutate(bodyOf(draft), { onSuccess: () => void navigate("/forms") });
  };

  return (
    <section className="form-page">
      <nav aria-label="Breadcrumb" className="form-breadcrumb">
        <Link to="/forms">Forms</Link> / {form ? form.name : "New form"}
      </nav>
      <h1>{form ? `Edit ${form.name}` : "New form"}</h1>
      <div className="form-builder">
        <form className="form-builder__main" onSubmit={submit} noValidate aria-label="Form definition">
          <Card title="Form">
            <div className="form-grid">
              <Field label="Form name">
                {(ids) => (
                  <Input {...ids} required value={draft.name} onChange={(e) => set("name", e.target.value)} />
                )}
              </Field>
              <Field label="Form description">
                {(ids) => (
                  <Textarea
                    {...ids}
                    rows={2}
                    value={draft.description}
                    onChange={(e) => set("description", e.target.value)}
                  />
                )}
              </Field>
              <WorkflowSelect
                label="Workflow"
                hint="Runs with the submitted values of the fields named like its parameters."
                workflows={runnable}
                query={workflows}
                value={draft.workflowId}
                onChange={(v) => set("workflowId", v)}
                required
              />
              <WorkflowSelect
                label="Launch workflow"
                hint="Optional: runs when the form opens; an object result prefills the fields it names."
                workflows={runnable}
                query={workflows}
                value={draft.launchWorkflowId}
                onChange={(v) => set("launchWorkflowId", v)}
              />
              {draft.launchWorkflowId && (
                <Field
                  label="Query parameters for the launch workflow"
                  hint="Comma-separated names the launch workflow may receive from the page's address."
                >
                  {(ids) => (
                    <Input
                      {...ids}
                      value={draft.allowedQueryParams}
                      onChange={(e) => set("allowedQueryParams", e.target.value)}
                    />
                  )}
                </Field>
              )}
              <OrganizationSelect
                value={draft.organizationId}
                onChange={(organizationId) => set("organizationId", organizationId)}
                globalLabel="Global (every organization)"
              />
              <Field label="Access">
                {(ids) => (
                  <Select
                    {...ids}
                    value={draft.accessLevel}
                    onChange={(e) => set("accessLevel", e.target.value as Draft["accessLevel"])}
                  >
                    <option value="role_based">Users with one of the roles</option>
                    <option value="authenticated">Every signed-in user</option>
                  </Select>
                )}
              </Field>
              {draft.accessLevel === "role_based" && (
                <fieldset className="ui-field form-group">
                  <legend className="ui-field__label">Roles</legend>
                  {roles.isPending && <Spinner size="small" label="Loading the roles…" />}
                  {roles.isError && (
                    <ErrorState
                      title="Could not load the roles"
                      error={roles.error}
                      onRetry={() => void roles.refetch()}
                    />
                  )}
                  {roles.data?.length === 0 && (
                    <p className="form-muted">No roles yet: only platform admins will see this form.</p>
                  )}
                  {roles.data?.map((role) => (
                    <label key={role.id} className="form-check__label">
                      <input
                        type="checkbox"
                        checked={draft.roleIds.includes(role.id)}
                        onChange={(e) =>
                          set(
                            "roleIds",
                            e.target.checked
                              ? [...draft.roleIds, role.id]
                              : draft.roleIds.filter((id) => id !== role.id),
                          )
                        }
                      />{" "}
                      {role.name}
                    </label>
                  ))}
                </fieldset>
              )}
              <label className="form-check__label">
                <input
                  type="checkbox"
                  checked={draft.isActive}
                  onChange={(e) => set("isActive", e.target.checked)}
                />{" "}
                Active
              </label>
            </div>
          </Card>

          <Card
            title="Fields"
            actions={
              <Button onClick={() => setDraft((d) => ({ ...d, fields: [...d.fields, newField(d.fields)] }))}>
                Add field
              </Button>
            }
          >
            {draft.fields.length === 0 && <p className="form-muted">No fields yet: add one.</p>}
            <ol className="form-field-list">
              {draft.fields.map((field, index) => (
                <li key={field.key}>
                  <FieldEditor
                    field={field}
                    index={index}
                    count={draft.fields.length}
                    others={draft.fields.filter((f) => f.key !== field.key)}
                    providers={providers}
                    problems={checked ? problems : {}}
                    apiErrors={apiErrors?.byField[index] ?? []}
                    onChange={(patch) => setField(field.key, patch)}
                    onMove={(by) => move(index, by)}
                    onRemove={() =>
                      setDraft((d) => ({ ...d, fields: d.fields.filter((f) => f.key !== field.key) }))
                    }
                  />
                </li>
              ))}
            </ol>
          </Card>

          {checked && Object.keys(problems).length > 0 && (
            <p className="ui-field__error" role="alert">
              Some fields need attention.
            </p>
          )}
          {save.isError && (
            <div className="ui-field__error" role="alert">
              <p>{errorMessage(save.error)}</p>
              {apiErrors && apiErrors.other.length > 0 && (
                <ul>
                  {apiErrors.other.map((message) => (
                    <li key={message}>{message}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={save.isPending}>
              Save form
            </Button>
            <Link className="ui-button ui-button--ghost" to="/forms">
              Cancel
            </Link>
          </div>
        </form>
        <Preview draft={draft} />
      </div>
    </section>
  );
}

function WorkflowSelect({
  label,
  hint,
  workflows,
  query,
  value,
  onChange,
  required = false,
}: {
  label: string;
  hint?: string;
  workflows: Workflow[];
  query: ReturnType<typeof useAllWorkflows>;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
}) {
  const shownHint = query.isError
    ? `Could not load the workflows: ${errorMessage(query.error)}`
    : query.isPending
      ? "Loading the workflows…"
      : hint;
  return (
    <Field label={required ? `${label} (required)` : label} hint={shownHint}>
      {(ids) => (
        <Select {...ids} required={required} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{required ? "Choose…" : "None"}</option>
          {workflows.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
              {w.isActive ? "" : " (inactive)"}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

function Preview({ draft }: { draft: Draft }) {
  const fields = useMemo(() => draft.fields.map((f) => fieldOf(f, draft.fields)), [draft.fields]);
  const defaults = useMemo(() => JSON.stringify(initialValues(fields)), [fields]);
  const [state, setState] = useState<{ defaults: string; values: Values }>(() => ({
    defaults,
    values: JSON.parse(defaults) as Values,
  }));
  // New defaults in the definition start the preview over.
  const values: Values = state.defaults === defaults ? state.values : (JSON.parse(defaults) as Values);
  return (
    <aside className="form-builder__preview" aria-labelledby="form-preview-title">
      <Card>
        <h2 id="form-preview-title" className="ui-card__title">
          Preview
        </h2>
        <div className="form-preview" role="group" aria-label="Preview of the form">
          {draft.name && <p className="form-preview__name">{draft.name}</p>}
          {fields.length === 0 ? (
            <p className="form-muted">Add fields to see them here.</p>
          ) : (
            <FormFields
              fields={fields}
              values={values}
              onChange={(name, value) => setState({ defaults, values: { ...values, [name]: value } })}
            />
          )}
        </div>
      </Card>
    </aside>
  );
}

/** A 422's `details.fields`: those of `body.fields.<i>.…` by field index, the others as lines. */
function builderErrorsFromApi(details: unknown): { byField: Record<number, string[]>; other: string[] } {
  const { fields, other } = fieldErrorsFromApi(details, "body.fields.");
  const byField: Record<number, string[]> = {};
  for (const [path, message] of Object.entries(fields)) {
    const match = /^(\d+)(?:\.(.+))?$/.exec(path);
    if (!match) {
      other.push(`fields.${path}: ${message}`);
      continue;
    }
    (byField[Number(match[1])] ??= []).push(match[2] ? `${match[2]}: ${message}` : message);
  }
  return { byField, other };
}
