import { useState } from "react";
import { Button, Dialog, Field, Input } from "../../components/ui/index.js";
import type { ShownLink } from "./user-actions.js";

/**
 * A link the API answered because no mail server is configured: shown once, to copy and hand over.
 * It is not stored anywhere; closing the dialog loses it (send a new one if needed).
 */
export function UsersLinkOnce({ shown, onClose }: { shown: ShownLink | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const link = shown?.answer.link ?? "";
  return (
    <Dialog
      open={shown !== null}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(false);
          onClose();
        }
      }}
      title={`Link for ${shown?.email ?? ""}`}
      description="No mail server is configured (BIFROST_SMTP_URL), so here is the link to hand over. It is shown only once and works once."
      footer={
        <>
          <Button
            onClick={() =>
              void navigator.clipboard
                .writeText(link)
                .then(() => setCopied(true))
                .catch(() => setCopied(false))
            }
          >
            {copied ? "Copied" : "Copy link"}
          </Button>
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        </>
      }
    >
      <Field
        label="Link"
        hint={shown ? `Valid until ${new Date(shown.answer.expiresAt).toLocaleString()}` : undefined}
      >
        {(ids) => <Input {...ids} readOnly value={link} onFocus={(e) => e.target.select()} />}
      </Field>
    </Dialog>
  );
}
