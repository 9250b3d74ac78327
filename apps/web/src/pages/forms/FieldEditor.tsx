/** The builder's editor of one form field: its settings, options and visibility condition. */
import type { Workflow } from "@bifrost/contracts";
import { Button, Field, Input, Select, Textarea } from "../../components/ui/index.js";
import { FIELD_TYPES, TYPE_LABELS, type DraftField } from "./draft.js";
import { CHOICE_TYPES, DISPLAY_TYPES } from "./values.js";
import "./forms.css";

export function FieldEditor({
  field,
  index,
  count,
  others,
  providers,
  problems,
  onChange,
  onMove,
  onRemove,
}: {
  field: DraftField;
  index: number;
  count: number;
  others: DraftField[];
  providers: Workflow[];
  /** Messages in words by `<field key>.<slot>` (`<field key>` alone: about the whole field). */
  problems: Record<string, string>;
  onChange: (patch: Partial<DraftField>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const choice = CHOICE_TYPES.includes(field.type);
  const display = DISPLAY_TYPES.includes(field.type);
  const title = `Field ${index + 1}`;
  const who = field.label || field.name || title;
  const problem = (slot: string) => problems[`${field.key}.${slot}`];
  const general = problems[field.key];
  return (
    <fieldset className="form-field-editor">
      <legend>
        {title}: {field.label || field.name}
      </legend>
      {general && <p className="ui-field__error form-field-editor__errors">{general}</p>}
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
        <Field
          label="Name"
          hint="Letters, digits and _; the workflow parameter it fills."
          error={problem("name")}
        >
          {(ids) => (
            <Input {...ids} value={field.name} onChange={(e) => onChange({ name: e.target.value })} />
          )}
        </Field>
        <Field label="Label" error={problem("label")}>
          {(ids) => (
            <Input {...ids} value={field.label} onChange={(e) => onChange({ label: e.target.value })} />
          )}
        </Field>
        <Field label="Type" error={problem("type")}>
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
            error={problem("default")}
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
          <Field label="Placeholder" error={problem("placeholder")}>
            {(ids) => (
              <Input
                {...ids}
                value={field.placeholder}
                onChange={(e) => onChange({ placeholder: e.target.value })}
              />
            )}
          </Field>
        )}
        <Field label="Help text" error={problem("helpText")}>
          {(ids) => (
            <Input {...ids} value={field.helpText} onChange={(e) => onChange({ helpText: e.target.value })} />
          )}
        </Field>
      </div>
      {choice && (
        <div className="form-grid form-grid--two">
          <Field
            label="Data provider"
            hint="Optional: a data provider workflow lists the options."
            error={problem("provider")}
          >
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
      {choice && !field.providerWorkflowId && (
        <OptionsEditor field={field} error={problem("options")} onChange={onChange} />
      )}
      <ConditionEditor field={field} others={others} problems={problems} onChange={onChange} />
    </fieldset>
  );
}

function OptionsEditor({
  field,
  error,
  onChange,
}: {
  field: DraftField;
  error: string | undefined;
  onChange: (patch: Partial<DraftField>) => void;
}) {
  const setOption = (i: number, patch: Partial<DraftField["options"][number]>) =>
    onChange({ options: field.options.map((o, j) => (j === i ? { ...o, ...patch } : o)) });
  return (
    <fieldset className="form-options">
      <legend>Options</legend>
      {field.options.length === 0 && <p className="form-muted">No options yet.</p>}
      {error && <p className="ui-field__error">{error}</p>}
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
