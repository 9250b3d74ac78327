/** An integration's config fields (its `configSchema`) as rows to edit, or as JSON for the rare case. */
import type { IntegrationConfigField } from "@bifrost/contracts";
import { useState } from "react";
import { Button, Field, Input, JsonField, Options, Select } from "../../../components/ui/index.js";
import { parseJsonArray } from "../../../lib/json.js";
import "./integrations.css";

const FIELD_TYPES = ["string", "int", "bool", "json"] as const;

/** A row being edited; `id` keeps React's keys stable while rows move. */
export type FieldRow = IntegrationConfigField & { id: number };

let nextId = 1;
export const toRows = (fields: readonly IntegrationConfigField[]): FieldRow[] =>
  fields.map((f) => ({ ...f, id: nextId++ }));
const fromRows = (rows: readonly FieldRow[]): IntegrationConfigField[] =>
  rows.map(({ id: _id, ...field }) => field);

/** The editor's state: rows, or the JSON text while "Edit as JSON" is on. */
export type FieldsDraft = { rows: FieldRow[]; json: string | null };

/** The fields the draft holds, or a message when its JSON is not an array. */
export function draftFields(
  draft: FieldsDraft,
): { ok: true; value: IntegrationConfigField[] } | { ok: false; message: string } {
  if (draft.json === null) return { ok: true, value: fromRows(draft.rows) };
  const parsed = parseJsonArray(draft.json, true);
  // Checked by the API (422 with the field's problem).
  return parsed.ok ? { ok: true, value: parsed.value as IntegrationConfigField[] } : parsed;
}

export function ConfigFieldsEditor({
  draft,
  onChange,
  error,
}: {
  draft: FieldsDraft;
  onChange: (draft: FieldsDraft) => void;
  error?: string | undefined;
}) {
  const [toggleError, setToggleError] = useState<string | undefined>();
  const { rows } = draft;
  const setRows = (next: FieldRow[]) => onChange({ rows: next, json: null });
  const update = (index: number, patch: Partial<IntegrationConfigField>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const move = (index: number, by: number) => {
    const next = [...rows];
    const [row] = next.splice(index, 1);
    if (row) next.splice(index + by, 0, row);
    setRows(next);
  };
  const toggleJson = () => {
    if (draft.json === null) {
      setToggleError(undefined);
      onChange({ rows, json: JSON.stringify(fromRows(rows), null, 2) });
      return;
    }
    const parsed = parseJsonArray(draft.json, true);
    const fields = parsed.ok ? parsed.value : [];
    const valid = parsed.ok && fields.every((f) => typeof f === "object" && f !== null && !Array.isArray(f));
    if (!valid) {
      setToggleError(parsed.ok ? "Each field must be a JSON object" : parsed.message);
      return;
    }
    setToggleError(undefined);
    const typed = fields.map((f) => {
      const field = f as Partial<IntegrationConfigField>;
      return {
        ...field,
        key: String(field.key ?? ""),
        type: FIELD_TYPES.includes(field.type as never)
          ? (field.type as IntegrationConfigField["type"])
          : "string",
        required: field.required === true,
        secret: field.secret === true,
      };
    });
    setRows(toRows(typed));
  };
  const label = (index: number, what: string) => `${what} of config field ${index + 1}`;
  return (
    <fieldset className="integration-fields">
      <legend>Config fields</legend>
      {draft.json !== null ? (
        <JsonField
          label="Config fields (JSON)"
          hint='e.g. [{"key": "tenant", "type": "string", "required": true}, {"key": "apiKey", "type": "string", "secret": true}]'
          error={toggleError ?? error}
          rows={4}
          value={draft.json}
          onChange={(json) => onChange({ rows, json })}
        />
      ) : (
        <>
          {rows.length === 0 && <p className="data-muted">No config fields: its config is free JSON.</p>}
          <ol className="integration-fields__rows">
            {rows.map((row, index) => (
              <li key={row.id} className="integration-fields__row">
                <Field label={label(index, "Name")}>
                  {(ids) => (
                    <Input
                      {...ids}
                      value={row.key}
                      onChange={(e) => update(index, { key: e.target.value })}
                      required
                    />
                  )}
                </Field>
                <Field label={label(index, "Type")}>
                  {(ids) => (
                    <Select
                      {...ids}
                      value={row.type}
                      onChange={(e) =>
                        update(index, { type: e.target.value as IntegrationConfigField["type"] })
                      }
                    >
                      <Options values={FIELD_TYPES} />
                    </Select>
                  )}
                </Field>
                <label className="integration-fields__flag">
                  <input
                    type="checkbox"
                    checked={row.required}
                    onChange={(e) => update(index, { required: e.target.checked })}
                    aria-label={label(index, "Required")}
                  />{" "}
                  Required
                </label>
                <label className="integration-fields__flag">
                  <input
                    type="checkbox"
                    checked={row.secret}
                    onChange={(e) => update(index, { secret: e.target.checked })}
                    aria-label={label(index, "Secret")}
                  />{" "}
                  Secret
                </label>
                <div className="data-actions">
                  <Button
                    onClick={() => move(index, -1)}
                    disabled={index === 0}
                    aria-label={`Move config field ${index + 1} up`}
                  >
                    Up
                  </Button>
                  <Button
                    onClick={() => move(index, 1)}
                    disabled={index === rows.length - 1}
                    aria-label={`Move config field ${index + 1} down`}
                  >
                    Down
                  </Button>
                  <Button
                    variant="danger"
                    onClick={() => setRows(rows.filter((_, i) => i !== index))}
                    aria-label={`Remove config field ${index + 1}`}
                  >
                    Remove
                  </Button>
                </div>
              </li>
            ))}
          </ol>
          {error && (
            <p className="ui-field__error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
      <div className="data-actions">
        {draft.json === null && (
          <Button
            onClick={() =>
              setRows([...rows, { id: nextId++, key: "", type: "string", required: false, secret: false }])
            }
          >
            Add config field
          </Button>
        )}
        <Button onClick={toggleJson} aria-pressed={draft.json !== null}>
          Edit as JSON
        </Button>
      </div>
    </fieldset>
  );
}
