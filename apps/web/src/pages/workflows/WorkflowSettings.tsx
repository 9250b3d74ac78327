import type { UpdateWorkflow, Workflow } from "@bifrost/contracts";
import { httpMethodSchema } from "@bifrost/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiFetch } from "../../api/client.js";
import { useAllRoles } from "../../api/queries.js";
import { ActionError, Button, Card, Field, Input, QueryView, Select } from "../../components/ui/index.js";
import { WORKFLOW_LIST_KEY } from "./queries.js";

const METHODS = httpMethodSchema.options;

/** The form's retry fields as the API's `retryPolicy`: none at 0 retries; `retryOn` only when listed. */
function retryPolicyOf(fields: {
  retries: string;
  initialDelay: string;
  multiplier: string;
  maxDelay: string;
  retryOn: string;
}): UpdateWorkflow["retryPolicy"] {
  const retries = Number(fields.retries);
  if (retries === 0) return null;
  const types = fields.retryOn
    .split(",")
    .map((type) => type.trim())
    .filter(Boolean);
  return {
    retries,
    initialDelaySeconds: Number(fields.initialDelay),
    backoffMultiplier: Number(fields.multiplier),
    maxDelaySeconds: Number(fields.maxDelay),
    ...(types.length > 0 ? { retryOn: types } : {}),
  };
}

/** A labelled number input of the settings form. */
function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  step = 1,
  disabled = false,
  required = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  min: number;
  max: number;
  step?: number | "any";
  disabled?: boolean;
  required?: boolean;
}) {
  return (
    <Field label={label}>
      {(ids) => (
        <Input
          {...ids}
          type="number"
          min={min}
          max={max}
          step={step}
          disabled={disabled}
          required={required}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** Platform admins' settings of a workflow (`PATCH /api/workflows/{id}`). */
export function WorkflowSettings({ workflow }: { workflow: Workflow }) {
  const queryClient = useQueryClient();
  const roles = useAllRoles();
  const [timeout, setTimeoutSeconds] = useState(String(workflow.timeoutSeconds));
  const [accessLevel, setAccessLevel] = useState(workflow.accessLevel);
  const [roleIds, setRoleIds] = useState(workflow.roleIds);
  const [endpointEnabled, setEndpointEnabled] = useState(workflow.endpointEnabled);
  const [executionMode, setExecutionMode] = useState(workflow.executionMode);
  const [allowedMethods, setAllowedMethods] = useState(workflow.allowedMethods);
  const [cacheTtl, setCacheTtl] = useState(String(workflow.cacheTtlSeconds));
  const policy = workflow.retryPolicy;
  const [retries, setRetries] = useState(String(policy?.retries ?? 0));
  const [initialDelay, setInitialDelay] = useState(String(policy?.initialDelaySeconds ?? 1));
  const [multiplier, setMultiplier] = useState(String(policy?.backoffMultiplier ?? 2));
  const [maxDelay, setMaxDelay] = useState(String(policy?.maxDelaySeconds ?? 3600));
  const [retryOn, setRetryOn] = useState(policy?.retryOn?.join(", ") ?? "");
  const save = useMutation({
    mutationFn: (body: UpdateWorkflow) =>
      apiFetch<Workflow>(`/api/workflows/${workflow.id}`, { method: "PATCH", body }),
    onSuccess: (updated) => {
      queryClient.setQueryData(["workflows", workflow.id], updated);
      void queryClient.invalidateQueries({ queryKey: WORKFLOW_LIST_KEY });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      timeoutSeconds: Number(timeout),
      accessLevel,
      roleIds,
      endpointEnabled,
      executionMode,
      allowedMethods,
      cacheTtlSeconds: Number(cacheTtl),
      retryPolicy: retryPolicyOf({ retries, initialDelay, multiplier, maxDelay, retryOn }),
    });
  };
  const toggle = <T,>(list: T[], item: T, on: boolean): T[] =>
    on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);

  return (
    <Card title="Settings">
      <form className="wf-settings" onSubmit={submit} aria-label="Settings">
        <NumberField
          label="Timeout (seconds, 0 = none)"
          min={0}
          max={86400}
          required
          value={timeout}
          onChange={setTimeoutSeconds}
        />
        <Field label="Access">
          {(ids) => (
            <Select
              {...ids}
              value={accessLevel}
              onChange={(e) => setAccessLevel(e.target.value as Workflow["accessLevel"])}
            >
              <option value="role_based">Members of its roles</option>
              <option value="authenticated">Every signed-in user</option>
            </Select>
          )}
        </Field>
        <fieldset className="wf-fieldset" disabled={accessLevel !== "role_based"}>
          <legend>Roles</legend>
          <QueryView
            query={roles}
            what="the roles"
            isEmpty={(data) => data.length === 0}
            empty="No roles yet."
          >
            {(data) =>
              data.map((role) => (
                <label key={role.id} className="wf-check">
                  <input
                    type="checkbox"
                    checked={roleIds.includes(role.id)}
                    onChange={(e) => setRoleIds(toggle(roleIds, role.id, e.target.checked))}
                  />
                  {role.name}
                </label>
              ))
            }
          </QueryView>
        </fieldset>
        <fieldset className="wf-fieldset">
          <legend>HTTP endpoint</legend>
          <label className="wf-check">
            <input
              type="checkbox"
              checked={endpointEnabled}
              onChange={(e) => setEndpointEnabled(e.target.checked)}
            />
            Enabled at <code>/api/endpoints/{workflow.name}</code>
          </label>
          <Field label="Mode">
            {(ids) => (
              <Select
                {...ids}
                value={executionMode}
                onChange={(e) => setExecutionMode(e.target.value as Workflow["executionMode"])}
              >
                <option value="sync">Synchronous (answers the result)</option>
                <option value="async">Asynchronous (answers the execution id)</option>
              </Select>
            )}
          </Field>
          <div className="wf-methods" role="group" aria-label="Allowed methods">
            {METHODS.map((method) => (
              <label key={method} className="wf-check">
                <input
                  type="checkbox"
                  checked={allowedMethods.includes(method)}
                  onChange={(e) => setAllowedMethods(toggle(allowedMethods, method, e.target.checked))}
                />
                {method}
              </label>
            ))}
          </div>
          <NumberField
            label="Data provider cache (seconds)"
            min={0}
            max={86400}
            value={cacheTtl}
            onChange={setCacheTtl}
          />
        </fieldset>
        <fieldset className="wf-fieldset">
          <legend>Retries</legend>
          <p className="wf-hint">
            A failed run is tried again after the first delay, then each delay times the multiplier, up to the
            maximum. A run interrupted by a lost worker is re-queued once anyway.
          </p>
          <NumberField
            label="Retries (0 = none)"
            min={0}
            max={25}
            required
            value={retries}
            onChange={setRetries}
          />
          <NumberField
            label="First delay (seconds)"
            min={0}
            max={86400}
            step="any"
            disabled={retries === "0"}
            value={initialDelay}
            onChange={setInitialDelay}
          />
          <NumberField
            label="Multiplier"
            min={1}
            max={10}
            step="any"
            disabled={retries === "0"}
            value={multiplier}
            onChange={setMultiplier}
          />
          <NumberField
            label="Longest delay (seconds)"
            min={0}
            max={86400}
            step="any"
            disabled={retries === "0"}
            value={maxDelay}
            onChange={setMaxDelay}
          />
          <Field label="Retry only on these error types (comma-separated; empty: every error but UserError)">
            {(ids) => (
              <Input
                {...ids}
                placeholder="e.g. Error, Timeout"
                disabled={retries === "0"}
                value={retryOn}
                onChange={(e) => setRetryOn(e.target.value)}
              />
            )}
          </Field>
        </fieldset>
        <ActionError error={save.error} />
        {save.isSuccess && <p role="status">Saved.</p>}
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save settings
        </Button>
      </form>
    </Card>
  );
}
