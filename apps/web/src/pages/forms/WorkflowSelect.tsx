import type { Workflow } from "@bifrost/contracts";
import type { useAllWorkflows } from "../../api/queries.js";
import { errorMessage, Field, Select } from "../../components/ui/index.js";

/** A workflow picked among those a form may run (the empty choice: "Choose…" or "None"). */
export function WorkflowSelect({
  label,
  hint,
  workflows,
  query,
  value,
  onChange,
  error,
  required = false,
}: {
  label: string;
  hint?: string;
  workflows: Workflow[];
  query: ReturnType<typeof useAllWorkflows>;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  required?: boolean;
}) {
  const shownHint = query.isError
    ? `Could not load the workflows: ${errorMessage(query.error)}`
    : query.isPending
      ? "Loading the workflows…"
      : hint;
  return (
    <Field label={required ? `${label} (required)` : label} hint={shownHint} error={error}>
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
