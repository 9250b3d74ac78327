import type { Schedule, Workflow } from "@bifrost/contracts";
import { useState, type FormEvent } from "react";
import { useInvalidatingMutation } from "../../../api/queries.js";
import { OrganizationSelect } from "../../../components/OrganizationSelect.js";
import { ActionError, Button, Field, JsonField, Select } from "../../../components/ui/index.js";
import { parseJsonObject } from "../../../lib/json.js";
import { createSchedule, OPS_KEY, updateSchedule } from "../ops-queries.js";
import { CronEditor } from "./CronEditor.js";

/**
 * Creates a schedule, or edits `editing` (its workflow stays: the API does not move a schedule to
 * another workflow). `defaultOrganizationId` is the header's scope for new schedules.
 */
export function ScheduleForm({
  editing,
  workflows,
  defaultOrganizationId,
  onDone,
}: {
  editing: Schedule | null;
  workflows: Workflow[];
  defaultOrganizationId: string | null;
  onDone: (message: string) => void;
}) {
  const [workflowId, setWorkflowId] = useState(editing?.workflowId ?? "");
  const [cron, setCron] = useState(editing?.cron ?? "0 9 * * 1-5");
  const [timezone, setTimezone] = useState(editing?.timezone ?? "UTC");
  const [organizationId, setOrganizationId] = useState(
    editing?.organizationId ?? defaultOrganizationId ?? "",
  );
  const [inputText, setInputText] = useState(
    editing && Object.keys(editing.inputData).length > 0 ? JSON.stringify(editing.inputData, null, 2) : "",
  );
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [inputError, setInputError] = useState<string | undefined>();
  const save = useInvalidatingMutation(OPS_KEY, (schedule: { input: Record<string, unknown> }) => {
    const common = {
      cron: cron.trim(),
      timezone,
      inputData: schedule.input,
      enabled,
      ...(organizationId ? { organizationId } : {}),
    };
    return editing
      ? updateSchedule({ id: editing.id, patch: common })
      : createSchedule({ workflowId: workflowId || (workflows[0]?.id ?? ""), ...common });
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseJsonObject(inputText, true);
    if (!parsed.ok) {
      setInputError(parsed.message);
      return;
    }
    setInputError(undefined);
    save.mutate(
      { input: parsed.value },
      { onSuccess: () => onDone(editing ? "Schedule saved." : "Schedule created.") },
    );
  };

  return (
    <form onSubmit={submit} className="ops-form" aria-label={editing ? "Edit schedule" : "New schedule"}>
      <Field label="Workflow" hint={editing ? "A schedule keeps its workflow." : undefined}>
        {(ids) => (
          <Select
            {...ids}
            value={workflowId || (workflows[0]?.id ?? "")}
            onChange={(e) => setWorkflowId(e.target.value)}
            disabled={editing !== null}
            required
          >
            {workflows.length === 0 && <option value="">No workflows yet</option>}
            {workflows.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <CronEditor cron={cron} timezone={timezone} onCronChange={setCron} onTimezoneChange={setTimezone} />
      <OrganizationSelect
        value={organizationId}
        onChange={setOrganizationId}
        hint="The organization the runs belong to."
        globalLabel="The workflow's (default)"
      />
      <JsonField
        label="Input data (JSON)"
        hint='Passed to every run, e.g. {"report": "daily"}'
        error={inputError}
        rows={4}
        value={inputText}
        onChange={setInputText}
      />
      <label className="ops-check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled
      </label>
      <div className="ops-form__actions">
        <Button
          type="submit"
          variant="primary"
          busy={save.isPending}
          disabled={!editing && workflows.length === 0}
        >
          {editing ? "Save schedule" : "Create schedule"}
        </Button>
        {editing && <Button onClick={() => onDone("")}>Cancel</Button>}
      </div>
      <ActionError error={save.error} />
    </form>
  );
}
