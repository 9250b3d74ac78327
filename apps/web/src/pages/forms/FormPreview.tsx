import { useMemo, useState } from "react";
import { Card } from "../../components/ui/index.js";
import { fieldOf, type Draft } from "./draft.js";
import { FormFields } from "./FormFields.js";
import { initialValues, type Values } from "./values.js";

/** The form as people will see it, rendered by the runner's own field component. */
export function FormPreview({ draft }: { draft: Draft }) {
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
