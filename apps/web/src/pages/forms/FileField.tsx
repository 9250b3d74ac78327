/** A form's file field: the file goes to a signed upload URL, the value is `{ path }`. */
import { useState } from "react";
import { errorMessage, Field, Input } from "../../components/ui/index.js";
import { uploadFormFile } from "./api.js";
import { labelOf, type ControlProps } from "./values.js";

type Upload =
  | { state: "idle" }
  | { state: "uploading"; name: string; percent: number }
  | { state: "done"; name: string }
  | { state: "error"; message: string };

export function FileField({ field, value, onChange, error, formId }: ControlProps) {
  const [upload, setUpload] = useState<Upload>({ state: "idle" });
  const allowed = field.validation?.allowedTypes;
  // Read out when an upload starts and when it ends; the percentage in between is a <progress>.
  const announcement =
    upload.state === "uploading"
      ? `Uploading ${upload.name}…`
      : upload.state === "done"
        ? `Uploaded ${upload.name}.`
        : "";
  const status =
    upload.state === "error" ? (
      <span className="ui-field__error" role="alert">
        Upload failed: {upload.message}
      </span>
    ) : !formId ? (
      <span className="form-muted">Files are uploaded when the form runs.</span>
    ) : value && upload.state !== "done" ? (
      <span>A file is attached.</span>
    ) : null;
  const hint =
    field.helpText || status ? (
      <>
        {field.helpText}
        {field.helpText && status ? " " : null}
        {status}
      </>
    ) : undefined;
  return (
    <div className="form-file">
      <Field label={labelOf(field)} hint={hint} error={error}>
        {(ids) => (
          <Input
            {...ids}
            type="file"
            required={field.required && !value}
            disabled={!formId || upload.state === "uploading"}
            accept={allowed?.join(",")}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (!file || !formId) {
                onChange(undefined);
                setUpload({ state: "idle" });
                return;
              }
              onChange(undefined);
              setUpload({ state: "uploading", name: file.name, percent: 0 });
              uploadFormFile(formId, field.name, file, (percent) =>
                setUpload({ state: "uploading", name: file.name, percent }),
              ).then(
                (path) => {
                  onChange({ path });
                  setUpload({ state: "done", name: file.name });
                },
                (failure: unknown) => setUpload({ state: "error", message: errorMessage(failure) }),
              );
            }}
          />
        )}
      </Field>
      {formId && (
        <p className="form-file__status" role="status">
          {announcement}
        </p>
      )}
      {upload.state === "uploading" && (
        <progress
          className="form-file__progress"
          max={100}
          value={upload.percent}
          aria-label="Upload progress"
        />
      )}
    </div>
  );
}
