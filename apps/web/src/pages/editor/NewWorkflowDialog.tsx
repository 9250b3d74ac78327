import type { WriteWorkspaceFileResult } from "@bifrost/contracts";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "../../api/client.js";
import { ActionError, Button, Dialog, Field, Input } from "../../components/ui/index.js";
import { codeOf, IDENTIFIER, TEMPLATES } from "./templates.js";

/**
 * "New workflow": a name and a template, saved at once as `<name>.ts` so it is registered and can
 * run straight away (issue 26). The name must be a JavaScript identifier (it is the export's name
 * and the workflow's); an existing file is never overwritten.
 */
export function NewWorkflowDialog({
  existing,
  onClose,
  onCreated,
}: {
  existing: ReadonlySet<string>;
  onClose: () => void;
  onCreated: (file: { path: string; content: string; hash: string }) => void;
}) {
  const [name, setName] = useState("");
  const [templateId, setTemplateId] = useState(TEMPLATES[0]?.id ?? "");
  const trimmed = name.trim();
  const path = `${trimmed}.ts`;
  const problem = !trimmed
    ? undefined
    : !IDENTIFIER.test(trimmed)
      ? "Letters, digits, _ and $ only, not starting with a digit (it is the workflow's name in code)"
      : existing.has(path)
        ? `${path} already exists: choose another name`
        : undefined;
  const create = useMutation({
    mutationFn: async () => {
      const template = TEMPLATES.find((t) => t.id === templateId) ?? TEMPLATES[0];
      if (!template) throw new Error("No template");
      const content = codeOf(template, trimmed);
      const saved = await apiFetch<WriteWorkspaceFileResult>("/api/files/editor/content", {
        method: "PUT",
        body: { path, content },
      });
      return { path, content, hash: saved.hash };
    },
    onSuccess: onCreated,
  });
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="New workflow"
      description="Start from a template; it is saved at once, ready to run."
    >
      <form
        className="ed-dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!problem && trimmed) create.mutate();
        }}
      >
        <Field label="Name" error={problem} hint={trimmed && !problem ? `Saved as ${path}` : undefined}>
          {(ids) => (
            <Input
              {...ids}
              value={name}
              onChange={(event) => setName(event.target.value)}
              placeholder="syncTickets"
              required
              autoFocus
            />
          )}
        </Field>
        <fieldset className="ed-templates">
          <legend>Template</legend>
          {TEMPLATES.map((template) => (
            <label key={template.id} className="ed-template">
              <input
                type="radio"
                name="template"
                value={template.id}
                checked={templateId === template.id}
                onChange={() => setTemplateId(template.id)}
              />
              <span>
                <strong>{template.title}</strong>
                <span className="ed-muted">{template.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <ActionError error={create.error} />
        <div className="ui-dialog__footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending} disabled={!trimmed || !!problem}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
