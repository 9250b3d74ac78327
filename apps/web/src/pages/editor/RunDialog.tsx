import type { Workflow } from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { JsonSchemaFields } from "../../components/json-schema-form/JsonSchemaForm.js";
import {
  initialValue,
  toInputData,
  type FieldErrors,
  type JsonSchema,
} from "../../components/json-schema-form/schema.js";
import { Button, Dialog } from "../../components/ui/index.js";

/** The parameters of a run from the editor, in the form generated from the workflow's schema. */
export function RunDialog({
  workflow,
  busy,
  apiErrors,
  apiMessage,
  onRun,
  onClose,
}: {
  workflow: Workflow;
  busy: boolean;
  /** Field errors of the API's 422, by path. */
  apiErrors: FieldErrors;
  apiMessage: string | undefined;
  onRun: (inputData: Record<string, unknown>) => void;
  onClose: () => void;
}) {
  const schema = workflow.parametersSchema as JsonSchema;
  const [value, setValue] = useState(() => initialValue(schema) as Record<string, unknown>);
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: FieldErrors = {};
    const inputData = toInputData(schema, value, "", true, found) as Record<string, unknown>;
    setErrors(found);
    if (Object.keys(found).length === 0) onRun(inputData);
  };
  const shown = { ...apiErrors, ...errors };
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Run ${workflow.name}`}
      description="Its parameters:"
    >
      <form className="ed-run-form" onSubmit={submit} noValidate>
        <JsonSchemaFields schema={schema} value={value} errors={shown} onChange={setValue} />
        {apiMessage && (
          <p className="ui-field__error" role="alert">
            {apiMessage}
          </p>
        )}
        <div className="ui-dialog__footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Run
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
