import { useMemo } from "react";
import { formErrors } from "../../../api/field-errors.js";
import { Field, Input, Options, Select, Spinner } from "../../../components/ui/index.js";
import { useCronPreview } from "../ops-queries.js";

const CRON_PRESETS: { label: string; cron: string }[] = [
  { label: "Every 5 minutes", cron: "*/5 * * * *" },
  { label: "Every 15 minutes", cron: "*/15 * * * *" },
  { label: "Hourly", cron: "0 * * * *" },
  { label: "Daily at 09:00", cron: "0 9 * * *" },
  { label: "Weekdays at 09:00", cron: "0 9 * * 1-5" },
  { label: "Mondays at 09:00", cron: "0 9 * * 1" },
  { label: "Monthly, the 1st at 00:00", cron: "0 0 1 * *" },
];

/** Every IANA timezone the browser knows, UTC first. */
function timezones(): string[] {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...all.filter((tz) => tz !== "UTC")];
}

/** A fire time as read in the schedule's timezone, e.g. "Mon, 30 Nov 2026, 09:00". */
export function formatInZone(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/**
 * A cron expression with presets, its timezone and a live preview of the next five fire times
 * from the API (`POST /api/schedules/validate`, debounced); an invalid expression shows the API's
 * reason under the field.
 */
export function CronEditor({
  cron,
  timezone,
  onCronChange,
  onTimezoneChange,
}: {
  cron: string;
  timezone: string;
  onCronChange: (cron: string) => void;
  onTimezoneChange: (timezone: string) => void;
}) {
  const zones = useMemo(timezones, []);
  const preview = useCronPreview(cron, timezone);
  const invalid =
    preview.data && !preview.data.valid ? (preview.data.error ?? "Invalid cron expression") : undefined;
  const preset = CRON_PRESETS.find((p) => p.cron === cron.trim())?.cron ?? "";

  return (
    <div className="ops-cron">
      <div className="ops-cron__row">
        <Field label="Preset">
          {(ids) => (
            <Select {...ids} value={preset} onChange={(e) => e.target.value && onCronChange(e.target.value)}>
              <option value="">Custom</option>
              {CRON_PRESETS.map((p) => (
                <option key={p.cron} value={p.cron}>
                  {p.label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field
          label="Cron expression"
          hint="minute hour day month weekday (or 6 fields with seconds first)"
          error={invalid}
        >
          {(ids) => (
            <Input
              {...ids}
              className="ops-mono"
              value={cron}
              onChange={(e) => onCronChange(e.target.value)}
              spellCheck={false}
              autoComplete="off"
              required
            />
          )}
        </Field>
        <Field label="Timezone">
          {(ids) => (
            <Select {...ids} value={timezone} onChange={(e) => onTimezoneChange(e.target.value)}>
              <Options values={zones} />
            </Select>
          )}
        </Field>
      </div>
      <div className="ops-preview" aria-live="polite">
        <h3 className="ops-preview__title">Next runs</h3>
        {!cron.trim() ? (
          <p className="ops-muted">Type a cron expression to see when it fires.</p>
        ) : preview.isError ? (
          <p className="ui-field__error">{formErrors(preview.error).form}</p>
        ) : preview.isPending ? (
          <Spinner size="small" label="Computing the next runs" />
        ) : preview.data.valid ? (
          <ol className="ops-preview__list" aria-label="Next runs">
            {preview.data.nextRuns.map((run) => (
              <li key={run}>
                <time dateTime={run}>{formatInZone(run, timezone)}</time>{" "}
                <span className="ops-muted">({timezone})</span>
              </li>
            ))}
          </ol>
        ) : (
          <p className="ops-muted">No preview: the expression is not valid.</p>
        )}
      </div>
    </div>
  );
}
