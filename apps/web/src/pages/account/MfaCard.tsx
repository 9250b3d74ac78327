import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ActionError, Badge, Button, Card, QueryView } from "../../components/ui/index.js";
import { withQrCode } from "../auth/AuthenticatorKey.js";
import { RecoveryCodes } from "../auth/RecoveryCodes.js";
import {
  ACCOUNT_KEY,
  regenerateRecoveryCodes,
  startEnrolment,
  turnOffMfa,
  useAuthStatus,
  useMfaStatus,
} from "./account-queries.js";
import { CodeDialog, type CodeAction } from "./CodeDialog.js";
import { NewAuthenticator, type NewAuthenticatorSetup } from "./NewAuthenticator.js";

/** What the card shows instead of the status while a change is under way. */
type Step =
  | { kind: "scan"; setup: NewAuthenticatorSetup; replacing: boolean }
  | { kind: "codes"; codes: string[] }
  | { kind: "off" };

/**
 * The second factor: set it up, replace the authenticator, new recovery codes, turn it off. Every
 * change but the first set-up needs a current code of the authenticator in use.
 */
export function MfaCard() {
  const queryClient = useQueryClient();
  const status = useMfaStatus();
  const mfaRequired = useAuthStatus().data?.mfaRequired ?? false;
  const [step, setStep] = useState<Step | null>(null);
  const [asking, setAsking] = useState<CodeAction | null>(null);
  // Any change forgets the remembered browsers, and changes the status.
  const refresh = () => queryClient.invalidateQueries({ queryKey: ACCOUNT_KEY });
  const setUp = useMutation({
    mutationFn: async () => withQrCode(await startEnrolment()),
    onSuccess: (setup) => setStep({ kind: "scan", setup, replacing: false }),
  });

  const replace: CodeAction = {
    title: "Replace your authenticator",
    description: "Enter a code of the authenticator you use now; then set up the new one.",
    confirmLabel: "Continue",
    run: async (code) => {
      const setup = await withQrCode(await startEnrolment(code));
      setStep({ kind: "scan", setup, replacing: true });
    },
  };
  const regenerate: CodeAction = {
    title: "New recovery codes",
    description: "Your current recovery codes stop working. Enter a code of your authenticator.",
    confirmLabel: "Make new codes",
    run: async (code) => {
      setStep({ kind: "codes", codes: await regenerateRecoveryCodes(code) });
      await refresh();
    },
  };
  const turnOff: CodeAction = {
    title: "Turn off two-factor authentication",
    description: mfaRequired
      ? "This platform requires two-factor authentication: your next sign-in will ask you to set it up again. Enter a code of your authenticator."
      : "Signing in will then need only your password. Enter a code of your authenticator.",
    confirmLabel: "Turn off",
    danger: true,
    run: async (code) => {
      await turnOffMfa(code);
      setStep({ kind: "off" });
      await refresh();
    },
  };

  let body;
  if (step?.kind === "scan") {
    body = (
      <NewAuthenticator
        setup={step.setup}
        replacing={step.replacing}
        onVerified={(codes) => {
          setStep({ kind: "codes", codes });
          void refresh();
        }}
        onCancel={() => setStep(null)}
      />
    );
  } else if (step?.kind === "codes") {
    body = (
      <div className="account-enrol">
        <p role="status">
          Save your recovery codes: each one signs you in once if you lose your authenticator. They are shown
          only now.
        </p>
        <RecoveryCodes codes={step.codes} />
        <Button variant="primary" className="account-start" onClick={() => setStep(null)}>
          I saved them
        </Button>
      </div>
    );
  } else {
    body = (
      <QueryView query={status} what="the two-factor status">
        {(mfa) =>
          mfa.enabled ? (
            <div className="account-form">
              <p>
                <Badge tone="success">On</Badge> Sign-ins ask for a code of your authenticator app.{" "}
                {mfa.recoveryCodesRemaining === 1
                  ? "1 recovery code left."
                  : `${mfa.recoveryCodesRemaining} recovery codes left.`}
              </p>
              <div className="account-actions">
                <Button onClick={() => setAsking(replace)}>Replace authenticator</Button>
                <Button onClick={() => setAsking(regenerate)}>New recovery codes</Button>
                <Button variant="danger" onClick={() => setAsking(turnOff)}>
                  Turn off
                </Button>
              </div>
            </div>
          ) : (
            <div className="account-form">
              <p role={step?.kind === "off" ? "status" : undefined}>
                <Badge>Off</Badge> Sign-ins need only your password.
                {step?.kind === "off" &&
                  mfaRequired &&
                  " This platform requires two-factor authentication: your next sign-in will set it up again."}
              </p>
              <Button
                variant="primary"
                className="account-start"
                busy={setUp.isPending}
                onClick={() => setUp.mutate()}
              >
                Set up two-factor authentication
              </Button>
              <ActionError error={setUp.error} />
            </div>
          )
        }
      </QueryView>
    );
  }
  return (
    <Card title="Two-factor authentication">
      {body}
      <CodeDialog action={asking} onClose={() => setAsking(null)} />
    </Card>
  );
}
