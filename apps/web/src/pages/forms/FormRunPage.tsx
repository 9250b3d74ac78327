import type { ExecutionStatus, Form } from "@bifrost/contracts";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { ApiError, apiFetch } from "../../api/client.js";
import { fieldErrorsFromApi } from "../../api/field-errors.js";
import { Button, Card, errorMessage, Spinner } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { PageLoadError } from "../../shell/PageLoadError.js";
import { useForm, useStartup } from "./api.js";
import { FormFields } from "./FormFields.js";
import {
  initialValues,
  missingRequired,
  prefillFromQuery,
  prefillFromStartup,
  submittedValues,
  type FieldErrors,
  type Values,
} from "./values.js";
import "./forms.css";

export function FormRunPage() {
  const { formId = "" } = useParams();
  const form = useForm(formId);
  if (form.isPending) return <Spinner label="Loading the form…" />;
  if (form.isError)
    return (
      <PageLoadError
        className="form-page"
        heading="Form"
        what="the form"
        error={form.error}
        onRetry={() => void form.refetch()}
      />
    );
  return <FormRunner key={form.data.id + form.data.updatedAt} form={form.data} />;
}

function FormRunner({ form }: { form: Form }) {
  const navigate = useNavigate();
  const { search } = useLocation();
  const { isPlatformAdmin } = useAuth();
  const [values, setValues] = useState<Values>(() => ({
    ...initialValues(form.fields),
    ...prefillFromQuery(form.fields, new URLSearchParams(search)),
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const startup = useStartup(form, search);
  const touched = useRef(new Set<string>());

  // The launch workflow's result prefills the fields it names that nobody has touched yet; a
  // query parameter still wins over it.
  useEffect(() => {
    if (startup.data?.status !== "Success") return;
    const fromStartup = prefillFromStartup(form.fields, startup.data.result);
    const fromQuery = prefillFromQuery(form.fields, new URLSearchParams(search));
    setValues((current) => {
      const next = { ...current };
      for (const [name, value] of Object.entries(fromStartup))
        if (!touched.current.has(name) && !(name in fromQuery)) next[name] = value;
      return next;
    });
  }, [startup.data, form.fields, search]);

  const run = useMutation({
    mutationFn: (body: { values: Values }) =>
      apiFetch<{ executionId: string; status: ExecutionStatus }>(
        `/api/forms/${encodeURIComponent(form.id)}/execute`,
        { method: "POST", body },
      ),
    onSuccess: (answer) => void navigate(`/executions/${answer.executionId}`),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 422) {
        const { fields, other } = fieldErrorsFromApi(error.details, "body.values.");
        setErrors(fields);
        setFormError(other.length > 0 ? `${error.message}: ${other.join(" ")}` : error.message);
      } else {
        setFormError(errorMessage(error));
      }
    },
  });

  const change = (name: string, value: unknown) => {
    touched.current.add(name);
    setValues((current) => ({ ...current, [name]: value }));
    setErrors((current) => {
      if (!(name in current)) return current;
      const { [name]: _dropped, ...rest } = current;
      return rest;
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const missing = missingRequired(form.fields, values);
    setErrors(missing);
    if (Object.keys(missing).length > 0) {
      setFormError("Some fields need attention.");
      return;
    }
    setFormError(null);
    run.mutate({ values: submittedValues(form.fields, values) });
  };

  return (
    <section className="form-page">
      <nav aria-label="Breadcrumb" className="form-breadcrumb">
        <Link to="/forms">Forms</Link> / {form.name}
      </nav>
      <div className="form-page__header">
        <h1>{form.name}</h1>
        {isPlatformAdmin && (
          <Link className="ui-button ui-button--ghost" to={`/forms/${form.id}/edit`}>
            Edit form
          </Link>
        )}
      </div>
      {form.description && <p className="form-description">{form.description}</p>}
      {!form.isActive && <p className="form-muted">This form is inactive.</p>}
      {form.launchWorkflowId && <StartupStatus startup={startup} />}
      <Card className="form-run">
        <form onSubmit={submit} noValidate aria-label={form.name}>
          {form.fields.length === 0 && <p className="form-muted">This form has no fields.</p>}
          <FormFields
            fields={form.fields}
            values={values}
            onChange={change}
            errors={errors}
            formId={form.id}
          />
          {formError && (
            <p className="ui-field__error" role="alert">
              {formError}
            </p>
          )}
          <Button type="submit" variant="primary" busy={run.isPending}>
            Submit
          </Button>
        </form>
      </Card>
    </section>
  );
}

function StartupStatus({ startup }: { startup: ReturnType<typeof useStartup> }) {
  if (startup.isPending) return <Spinner size="small" label="Preparing the form…" />;
  if (startup.isError)
    return (
      <p className="ui-field__error" role="alert">
        The form could not be prepared: {errorMessage(startup.error)}{" "}
        <Button variant="ghost" onClick={() => void startup.refetch()}>
          Try again
        </Button>
      </p>
    );
  if (startup.data.status !== "Success")
    return (
      <p className="ui-field__error" role="alert">
        The form could not be prepared ({startup.data.status}): {startup.data.error ?? "no result"}
      </p>
    );
  return null;
}
