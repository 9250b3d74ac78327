import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { formErrors } from "../../api/field-errors.js";
import { ActionError, Button } from "../../components/ui/index.js";
import { AuthenticatorKey } from "../auth/AuthenticatorKey.js";
import { completeEnrolment } from "./account-queries.js";
import { CodeField } from "../auth/CodeField.js";

export type NewAuthenticatorSetup = { secret: string; otpauthUri: string; qr: string };

/**
 * The second half of setting up an authenticator: scan its seed, confirm with one of its codes.
 * Until confirmed, the authenticator in use (if any) stays the one that counts.
 */
export function NewAuthenticator({
  setup,
  replacing,
  onVerified,
  onCancel,
}: {
  setup: NewAuthenticatorSetup;
  replacing: boolean;
  onVerified: (recoveryCodes: string[]) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState("");
  const verify = useMutation({ mutationFn: () => completeEnrolment(code), onSuccess: onVerified });
  const codeError = formErrors(verify.error, ["code"]).fields.code;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate();
  };
  return (
    <div className="account-enrol">
      <p>
        Scan the QR code with an authenticator app, then enter the 6-digit code it shows.
        {replacing && " Your current authenticator keeps working until the new one is confirmed."}
      </p>
      <AuthenticatorKey qr={setup.qr} secret={setup.secret} />
      <form onSubmit={submit} className="account-form" aria-label="Confirm the authenticator">
        <CodeField
          label={replacing ? "Code from the new app" : "Code from the app"}
          error={codeError}
          value={code}
          onChange={setCode}
        />
        <ActionError error={verify.error} shown={["code"]} />
        <div className="account-actions">
          <Button type="submit" variant="primary" busy={verify.isPending}>
            {replacing ? "Use the new authenticator" : "Turn on two-factor authentication"}
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </div>
  );
}
