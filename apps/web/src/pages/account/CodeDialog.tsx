import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ActionError, Button, Dialog } from "../../components/ui/index.js";
import { CodeField } from "../auth/CodeField.js";

export type CodeAction = {
  title: string;
  description: string;
  confirmLabel: string;
  danger?: boolean;
  /** Runs the action with the code typed; the dialog closes once it succeeds. */
  run: (code: string) => Promise<void>;
};

/**
 * Asks for a current code of the authenticator in use before an MFA change; a wrong code ("Invalid
 * code") is shown in the dialog, which stays open for another try.
 */
export function CodeDialog({ action, onClose }: { action: CodeAction | null; onClose: () => void }) {
  return (
    <Dialog
      open={action !== null}
      onOpenChange={(open) => !open && onClose()}
      title={action?.title ?? ""}
      {...(action ? { description: action.description } : {})}
    >
      {/* Keyed by the action: each opening starts with an empty code and no error. */}
      {action && <CodeForm key={action.title} action={action} onClose={onClose} />}
    </Dialog>
  );
}

function CodeForm({ action, onClose }: { action: CodeAction; onClose: () => void }) {
  const [code, setCode] = useState("");
  const run = useMutation({ mutationFn: () => action.run(code), onSuccess: onClose });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate();
  };
  return (
    <form onSubmit={submit} className="account-form">
      <CodeField label="Code from your authenticator app" value={code} onChange={setCode} />
      <ActionError error={run.error} />
      <div className="ui-dialog__footer">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant={action.danger ? "danger" : "primary"} busy={run.isPending}>
          {action.confirmLabel}
        </Button>
      </div>
    </form>
  );
}
