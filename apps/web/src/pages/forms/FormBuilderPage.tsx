import type { Form, Workflow } from "@bifrost/contracts";
import { useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../../api/client.js";
import { fieldErrorsFromApi } from "../../api/field-errors.js";
import { useAllWorkflows } from "../../api/queries.js";
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
import { useRoles } from "../workflows/queries.js";
import { useForm, useSaveForm } from "./api.js";
import {
  bodyOf,
  draftOf,
  draftProblems,
  FIELD_TYPES,
  fieldOf,
  newField,
  TYPE_LABELS,
  type Draft,
  type DraftField,
} from "./draft.js";
import { FormFields } from "./FormFields.js";
import { CHOICE_TYPES, DISPLAY_TYPES, initialValues, type Values } from "./values.js";
import "./forms.css";

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
  const roles = useRoles(true);
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

function FieldEditor({
  field,
  index,
  count,
  others,
  providers,
  problems,
  apiErrors,
  onChange,
  onMove,
  onRemove,
}: {
  field: DraftField;
  index: number;
  count: number;
  others: DraftField[];
  providers: Workflow[];
  problems: Record<string, string>;
  apiErrors: string[];
  onChange: (patch: Partial<DraftField>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const choice = CHOICE_TYPES.includes(field.type);
  const display = DISPLAY_TYPES.includes(field.type);
  const title = `Field ${index + 1}`;
  const who = field.label || field.name || title;
  return (
    <fieldset className="form-field-editor">
      <legend>
        {title}: {field.label || field.name}
      </legend>
      {apiErrors.length > 0 && (
        <ul className="ui-field__error form-field-editor__errors">
          {apiErrors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      <div className="form-field-editor__tools">
        <Button
          variant="ghost"
          disabled={index === 0}
          onClick={() => onMove(-1)}
          aria-label={`Move up: ${who}`}
        >
          Move up
        </Button>
        <Button
          variant="ghost"
          disabled={index === count - 1}
          onClick={() => onMove(1)}
          aria-label={`Move down: ${who}`}
        >
          Move down
        </Button>
        <Button variant="danger" onClick={onRemove} aria-label={`Remove: ${who}`}>
          Remove
        </Button>
      </div>
      <div className="form-grid form-grid--two">
        <Field label="Name" hint="Letters, digits and _; the workflow parameter it fills.">
          {(ids) => (
            <Input {...ids} value={field.name} onChange={(e) => onChange({ name: e.target.value })} />
          )}
        </Field>
        <Field label="Label">
          {(ids) => (
            <Input {...ids} value={field.label} onChange={(e) => onChange({ label: e.target.value })} />
          )}
        </Field>
        <Field label="Type">
          {(ids) => (
            <Select
              {...ids}
              value={field.type}
              onChange={(e) => onChange({ type: e.target.value as DraftField["type"] })}
            >
              {FIELD_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABELS[t]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {!display && (
          <label className="form-check__label form-check--inline">
            <input
              type="checkbox"
              checked={field.required}
              onChange={(e) => onChange({ required: e.target.checked })}
            />{" "}
            Required
          </label>
        )}
        {field.type !== "file" && (
          <Field
            label={display ? "Content" : "Default"}
            hint={
              field.type === "checkbox"
                ? "true or false"
                : field.type === "multiSelect"
                  ? "Comma-separated option values"
                  : undefined
            }
          >
            {(ids) =>
              display ? (
                <Textarea
                  {...ids}
                  rows={3}
                  value={field.defaultText}
                  onChange={(e) => onChange({ defaultText: e.target.value })}
                />
              ) : (
                <Input
                  {...ids}
                  value={field.defaultText}
                  onChange={(e) => onChange({ defaultText: e.target.value })}
                />
              )
            }
          </Field>
        )}
        {!display && (
          <Field label="Placeholder">
            {(ids) => (
              <Input
                {...ids}
                value={field.placeholder}
                onChange={(e) => onChange({ placeholder: e.target.value })}
              />
            )}
          </Field>
        )}
        <Field label="Help text">
          {(ids) => (
            <Input {...ids} value={field.helpText} onChange={(e) => onChange({ helpText: e.target.value })} />
          )}
        </Field>
      </div>
      {choice && (
        <div className="form-grid form-grid--two">
          <Field label="Data provider" hint="Optional: a data provider workflow lists the options.">
            {(ids) => (
              <Select
                {...ids}
                value={field.providerWorkflowId}
                onChange={(e) => onChange({ providerWorkflowId: e.target.value })}
              >
                <option value="">None: the options below</option>
                {providers.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {field.providerWorkflowId && (
            <Field
              label="Provider inputs (JSON)"
              hint='Optional: e.g. { "tier": "{{ tier }}" }; without it, fields named like its parameters are passed.'
              error={problems[`${field.key}.inputs`]}
            >
              {(ids) => (
                <Textarea
                  code
                  {...ids}
                  rows={2}
                  value={field.providerInputs}
                  onChange={(e) => onChange({ providerInputs: e.target.value })}
                />
              )}
            </Field>
          )}
        </div>
      )}
      {choice && !field.providerWorkflowId && <OptionsEditor field={field} onChange={onChange} />}
      <ConditionEditor field={field} others={others} problems={problems} onChange={onChange} />
    </fieldset>
  );
}

function OptionsEditor({
  field,
  onChange,
}: {
  field: DraftField;
  onChange: (patch: Partial<DraftField>) => void;
}) {
  const setOption = (i: number, patch: Partial<DraftField["options"][number]>) =>
    onChange({ options: field.options.map((o, j) => (j === i ? { ...o, ...patch } : o)) });
  return (
    <fieldset className="form-options">
      <legend>Options</legend>
      {field.options.length === 0 && <p className="form-muted">No options yet.</p>}
      {field.options.map((option, i) => (
        <div key={i} className="form-option-row">
          <Field label={`Option ${i + 1} label`}>
            {(ids) => (
              <Input
                {...ids}
                value={option.label}
                onChange={(e) => setOption(i, { label: e.target.value })}
              />
            )}
          </Field>
          <Field label={`Option ${i + 1} value`}>
            {(ids) => (
              <Input
                {...ids}
                value={option.text}
                onChange={(e) => setOption(i, { text: e.target.value, value: e.target.value })}
              />
            )}
          </Field>
          <Button
            variant="ghost"
            onClick={() => onChange({ options: field.options.filter((_, j) => j !== i) })}
            aria-label={`Remove option ${i + 1}`}
          >
            Remove
          </Button>
        </div>
      ))}
      <Button
        onClick={() => {
          const n = field.options.length + 1;
          onChange({
            options: [...field.options, { label: `Option ${n}`, value: `option${n}`, text: `option${n}` }],
          });
        }}
      >
        Add option
      </Button>
    </fieldset>
  );
}

function ConditionEditor({
  field,
  others,
  problems,
  onChange,
}: {
  field: DraftField;
  others: DraftField[];
  problems: Record<string, string>;
  onChange: (patch: Partial<DraftField>) => void;
}) {
  const error = problems[`${field.key}.condition`];
  return (
    <div className="form-grid form-grid--two">
      <Field label="Visible">
        {(ids) => (
          <Select
            {...ids}
            value={field.conditionMode}
            onChange={(e) => {
              const mode = e.target.value as DraftField["conditionMode"];
              onChange({
                conditionMode: mode,
                ...(mode === "simple" && !field.conditionField
                  ? { conditionField: others[0]?.name ?? "" }
                  : {}),
              });
            }}
          >
            <option value="none">Always</option>
            <option value="simple">When a field equals a value</option>
            <option value="json">When a condition (JSON) holds</option>
          </Select>
        )}
      </Field>
      {field.conditionMode === "simple" && (
        <>
          <Field label="When field" error={error}>
            {(ids) => (
              <Select
                {...ids}
                value={field.conditionField}
                onChange={(e) => onChange({ conditionField: e.target.value })}
              >
                <option value="">Choose…</option>
                {others.map((f) => (
                  <option key={f.key} value={f.name}>
                    {f.label || f.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Equals" hint="For a checkbox: true or false.">
            {(ids) => (
              <Input
                {...ids}
                value={field.conditionEquals}
                onChange={(e) => onChange({ conditionEquals: e.target.value })}
              />
            )}
          </Field>
        </>
      )}
      {field.conditionMode === "json" && (
        <Field
          label="Condition (JSON)"
          hint='e.g. { "any": [ { "field": "tier", "equals": "pro" }, { "field": "vip", "isSet": true } ] }'
          error={error}
        >
          {(ids) => (
            <Textarea
              code
              {...ids}
              rows={4}
              value={field.conditionJson}
              onChange={(e) => onChange({ conditionJson: e.target.value })}
            />
          )}
        </Field>
      )}
    </div>
  );
}

/** The form as people will see it, rendered by the runner's own field component. */
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
