import type { mfaSetupResponseSchema, mfaVerifyResponseSchema } from "@bifrost/contracts";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Navigate, useLocation } from "react-router";
import type { z } from "zod";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { Button, ErrorState, Spinner } from "../../components/ui/index.js";
import { AuthenticatorKey, withQrCode } from "./AuthenticatorKey.js";
import { AuthFrame } from "./AuthFrame.js";
import { RecoveryCodes } from "./RecoveryCodes.js";
import { mfaTokenOf, useSignInFlow } from "./sign-in-flow.js";
import { CodeField } from "./CodeField.js";

type MfaSetup = z.infer<typeof mfaSetupResponseSchema>;
type MfaVerified = z.infer<typeof mfaVerifyResponseSchema>;

/** TOTP enrolment during a login that requires it: scan, confirm a code, keep the recovery codes. */
export function MfaEnrolPage() {
  const location = useLocation();
  const { finish, loginPath } = useSignInFlow();
  const mfaToken = mfaTokenOf(location);
  const bearer = { authorization: `Bearer ${mfaToken}` };
  const [code, setCode] = useState("");

  const setup = useQuery({
    queryKey: ["auth", "mfa-setup", mfaToken],
    queryFn: async () =>
      withQrCode(await apiFetch<MfaSetup>("/auth/mfa/setup", { method: "POST", headers: bearer })),
    enabled: Boolean(mfaToken),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });
  const verify = useMutation({
    mutationFn: () =>
      apiFetch<MfaVerified>("/auth/mfa/verify", {
        method: "POST",
        headers: bearer,
        body: { code: code.trim() },
      }),
  });

  if (!mfaToken) return <Navigate to={loginPath} replace />;
  if (verify.data) {
    const pair = verify.data;
    return (
      <AuthFrame
        title="Save your recovery codes"
        intro={<p>Each code signs you in once if you lose your authenticator. They are shown only now.</p>}
      >
        <RecoveryCodes codes={pair.recoveryCodes} />
        <Button variant="primary" onClick={() => void finish(pair)}>
          I saved them — continue
        </Button>
      </AuthFrame>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate();
  };
  return (
    <AuthFrame
      title="Set up two-factor authentication"
      intro={<p>Scan the QR code with an authenticator app, then enter the 6-digit code it shows.</p>}
    >
      {setup.isPending && <Spinner label="Preparing…" />}
      {setup.isError && <ErrorState error={setup.error} title="Enrolment could not start" />}
      {setup.data && (
        <>
          <AuthenticatorKey qr={setup.data.qr} secret={setup.data.secret} />
          <form onSubmit={submit} className="auth-form">
            <CodeField label="Code from the app" value={code} onChange={setCode} />
            {verify.isError && (
              <p className="form-error" role="alert">
                {formErrors(verify.error).form}
              </p>
            )}
            <Button type="submit" variant="primary" busy={verify.isPending}>
              Turn on two-factor authentication
            </Button>
          </form>
        </>
      )}
    </AuthFrame>
  );
}
