import type { Form } from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../../api/client.js";
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
import {
  builderProblems,
  keptFor,
  problemsFromApi,
  withoutFixed,
  type Problems,
} from "./builder-problems.js";
import { bodyOf, draftOf, newField, type Draft, type DraftField } from "./draft.js";
import { FieldEditor } from "./FieldEditor.js";
import { fieldsFromParameters } from "./fields-from-params.js";
import { FormPreview } from "./FormPreview.js";
import { filledMessage, ParameterFieldsOffer, type Offer } from "./ParameterFieldsOffer.js";
import { WorkflowSelect } from "./WorkflowSelect.js";
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
  // The API's 422, in words by input; each leaves as soon as its input changes.
  const [apiProblems, setApiProblems] = useState<Problems>({});
  const [apiOther, setApiOther] = useState<string[]>([]);
  const [offer, setOffer] = useState<Offer | null>(null);
  const [filled, setFilled] = useState("");
  const workflows = useAllWorkflows();
  const roles = useAllRoles();
  const save = useSaveForm(form?.id);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setApiProblems((p) => withoutFixed(p, key));
  };
  const setField = (key: string, patch: Partial<DraftField>) => {
    setDraft((d) => ({ ...d, fields: d.fields.map((f) => (f.key === key ? { ...f, ...patch } : f)) }));
    setApiProblems((p) => withoutFixed(p, key, patch));
  };
  const setFields = (fields: DraftField[], message?: string) => {
    setDraft((d) => ({ ...d, fields }));
    setApiProblems((p) => keptFor(p, fields));
    if (message === undefined) return;
    setOffer(null);
    setFilled(message);
  };
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
  const problems = builderProblems(draft);
  const hasProblems = Object.keys(problems).length > 0;
  // The builder's own words win over the API's for the same input.
  const shown: Problems = { ...apiProblems, ...(checked ? problems : {}) };
  const rejected = save.error instanceof ApiError && save.error.status === 422;

  /** A chosen workflow makes the fields from its parameters: at once on an empty form, else on request. */
  const chooseWorkflow = (workflowId: string) => {
    set("workflowId", workflowId);
    setOffer(null);
    setFilled("");
    const workflow = runnable.find((w) => w.id === workflowId);
    if (!workflow) return;
    const { fields, skipped } = fieldsFromParameters(workflow.parametersSchema);
    if (fields.length === 0) {
      if (skipped.length > 0) setFilled(filledMessage(workflow.name, 0, skipped));
      return;
    }
    if (draft.fields.length === 0) setFields(fields, filledMessage(workflow.name, fields.length, skipped));
    else setOffer({ workflowName: workflow.name, fields, skipped });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (hasProblems) return;
    const sent = draft;
    save.mutate(bodyOf(sent), {
      onSuccess: () => void navigate("/forms"),
      onError: (error) => {
        const answer =
          error instanceof ApiError && error.status === 422 ? problemsFromApi(error.details, sent) : null;
        setApiProblems(answer?.problems ?? {});
        // A refusal that names no input still says why.
        const named = answer && (answer.other.length > 0 || Object.keys(answer.problems).length > 0);
        setApiOther(answer && !named ? [errorMessage(error)] : (answer?.other ?? []));
      },
    });
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
              <Field label="Form name" error={shown.name}>
                {(ids) => (
                  <Input {...ids} required value={draft.name} onChange={(e) => set("name", e.target.value)} />
                )}
              </Field>
              <Field label="Form description" error={shown.description}>
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
                hint="Runs with the submitted values of the fields named like its parameters; choosing one makes the fields from its parameters."
                workflows={runnable}
                query={workflows}
                value={draft.workflowId}
                onChange={chooseWorkflow}
                error={shown.workflowId}
                required
              />
              {offer && (
                <ParameterFieldsOffer
                  offer={offer}
                  current={draft.fields}
                  onReplace={() =>
                    setFields(
                      offer.fields,
                      filledMessage(offer.workflowName, offer.fields.length, offer.skipped),
                    )
                  }
                  onAdd={(missing) =>
                    setFields(
                      [...draft.fields, ...missing],
                      filledMessage(offer.workflowName, missing.length, offer.skipped),
                    )
                  }
                  onKeep={() => setOffer(null)}
                />
              )}
              <p className="form-muted" role="status">
                {filled}
              </p>
              <WorkflowSelect
                label="Launch workflow"
                hint="Optional: runs when the form opens; an object result prefills the fields it names."
                workflows={runnable}
                query={workflows}
                value={draft.launchWorkflowId}
                onChange={(v) => set("launchWorkflowId", v)}
                error={shown.launchWorkflowId}
              />
              {draft.launchWorkflowId && (
                <Field
                  label="Query parameters for the launch workflow"
                  hint="Comma-separated names the launch workflow may receive from the page's address."
                  error={shown.allowedQueryParams}
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
              {shown.organizationId && <p className="ui-field__error">{shown.organizationId}</p>}
              <Field label="Access" error={shown.accessLevel}>
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
                  {shown.roleIds && <p className="ui-field__error">{shown.roleIds}</p>}
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
                    problems={shown}
                    onChange={(patch) => setField(field.key, patch)}
                    onMove={(by) => move(index, by)}
                    onRemove={() => setFields(draft.fields.filter((f) => f.key !== field.key))}
                  />
                </li>
              ))}
            </ol>
          </Card>

          {checked && hasProblems && (
            <p className="ui-field__error" role="alert">
              Some fields need attention: see the messages next to them.
            </p>
          )}
          {save.isError && (!rejected || Object.keys(apiProblems).length > 0 || apiOther.length > 0) && (
            <div className="ui-field__error" role="alert">
              <p>
                {rejected
                  ? "The form was not saved: see the messages next to the fields."
                  : errorMessage(save.error)}
              </p>
              {rejected && apiOther.length > 0 && (
                <ul>
                  {apiOther.map((message) => (
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
        <FormPreview draft={draft} />
      </div>
    </section>
  );
}
