import type { ExecuteRequest, ExecutionStatus, Workflow } from "@bifrost/contracts";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, apiFetch } from "../../api/client.js";
import { JsonSchemaFields } from "../../components/json-schema-form/JsonSchemaForm.js";
import { fieldErrorsFromApi } from "../../api/field-errors.js";
import {
  initialValue,
  toInputData,
  type FieldErrors,
  type JsonSchema,
} from "../../components/json-schema-form/schema.js";
import { Button, Card, errorMessage, Field, Input, Spinner } from "../../components/ui/index.js";
import { useWorkflow } from "./queries.js";
import "./workflows.css";
import { PageLoadError } from "../../shell/PageLoadError.js";

type When = "now" | "delay" | "at";

export function WorkflowRunPage() {
  const { id = "" } = useParams();
  const workflow = useWorkflow(id);
  if (workflow.isPending) return <Spinner label="Loading the workflow…" />;
  if (workflow.isError) {
    return (
      <PageLoadError
        className="wf-page"
        heading="Run workflow"
        what="the workflow"
        error={workflow.error}
        onRetry={() => void workflow.refetch()}
      />
    );
  }
  return <RunForm key={workflow.data.id + workflow.data.updatedAt} workflow={workflow.data} />;
}

function RunForm({ workflow }: { workflow: Workflow }) {
  const navigate = useNavigate();
  const schema = workflow.parametersSchema as JsonSchema;
  const [value, setValue] = useState(() => initialValue(schema) as Record<string, unknown>);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [when, setWhen] = useState<When>("now");
  const [delay, setDelay] = useState("60");
  const [at, setAt] = useState("");
  const run = useMutation({
    mutationFn: (body: ExecuteRequest) =>
      apiFetch<{ executionId: string; status: ExecutionStatus }>("/api/workflows/execute", {
        method: "POST",
        body,
      }),
    onSuccess: (answer) => void navigate(`/executions/${answer.executionId}`),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 422) {
        const { fields, other } = fieldErrorsFromApi(error.details, "body.inputData.");
        setErrors(fields);
        setFormError(other.length > 0 ? `${error.message}: ${other.join(" ")}` : error.message);
      } else {
        setFormError(errorMessage(error));
      }
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: FieldErrors = {};
    const inputData = toInputData(schema, value, "", true, found) as Record<string, unknown>;
    const timing: Pick<ExecuteRequest, "delaySeconds" | "scheduledAt"> = {};
    if (when === "delay") {
      const seconds = Number(delay);
      if (!Number.isInteger(seconds) || seconds < 0) found["$delay"] = "Give a whole number of seconds";
      else timing.delaySeconds = seconds;
    }
    if (when === "at") {
      const date = new Date(at);
      if (!at || Number.isNaN(date.getTime())) found["$at"] = "Give a date and time";
      else timing.scheduledAt = date.toISOString();
    }
    setErrors(found);
    setFormError(Object.keys(found).length > 0 ? "Some fields need attention." : null);
    if (Object.keys(found).length > 0) return;
    run.mutate({ workflowId: workflow.id, inputData, sync: false, ...timing });
  };

  return (
    <section className="wf-page">
      <nav aria-label="Breadcrumb" className="wf-breadcrumb">
        <Link to="/workflows">Workflows</Link> / <Link to={`/workflows/${workflow.id}`}>{workflow.name}</Link>
      </nav>
      <h1>Run {workflow.name}</h1>
      {workflow.description && <p className="wf-description">{workflow.description}</p>}
      <Card>
        <form className="wf-run-form" onSubmit={submit} noValidate aria-label={`Run ${workflow.name}`}>
          <JsonSchemaFields schema={schema} value={value} errors={errors} onChange={setValue} />
          <fieldset className="wf-fieldset">
            <legend>When</legend>
            <label className="wf-check">
              <input type="radio" name="when" checked={when === "now"} onChange={() => setWhen("now")} /> Now
            </label>
            <label className="wf-check">
              <input type="radio" name="when" checked={when === "delay"} onChange={() => setWhen("delay")} />{" "}
              After a delay
            </label>
            {when === "delay" && (
              <Field label="Delay (seconds)" error={errors.$delay}>
                {(ids) => (
                  <Input
                    {...ids}
                    type="number"
                    min={0}
                    step={1}
                    value={delay}
                    onChange={(e) => setDelay(e.target.value)}
                  />
                )}
              </Field>
            )}
            <label className="wf-check">
              <input type="radio" name="when" checked={when === "at"} onChange={() => setWhen("at")} /> At a
              time
            </label>
            {when === "at" && (
              <Field label="Run at" error={errors.$at}>
                {(ids) => (
                  <Input {...ids} type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
                )}
              </Field>
            )}
          </fieldset>
          {formError && (
            <p className="ui-field__error" role="alert">
              {formError}
            </p>
          )}
          <Button type="submit" variant="primary" busy={run.isPending}>
            {when === "now" ? "Run now" : "Schedule run"}
          </Button>
        </form>
      </Card>
    </section>
  );
}
