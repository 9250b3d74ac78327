import type { TokenPair } from "@bifrost/contracts";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, Navigate, useLocation } from "react-router";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { Button, Field, Input } from "../../components/ui/index.js";
import { AuthFrame } from "./AuthFrame.js";
import { mfaTokenOf, useSignInFlow } from "./sign-in-flow.js";

/** Second step of a login: a code of the authenticator app, or a recovery code. */
export function MfaPromptPage() {
  const location = useLocation();
  const { finish, loginPath } = useSignInFlow();
  const [code, setCode] = useState("");
  const [rememberDevice, setRememberDevice] = useState(false);
  const mfaToken = mfaTokenOf(location);
  const verify = useMutation({
    mutationFn: () =>
      apiFetch<TokenPair>("/auth/mfa/login", {
        method: "POST",
        body: { mfaToken, code: code.trim(), rememberDevice },
      }),
    onSuccess: finish,
  });
  if (!mfaToken) return <Navigate to={loginPath} replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate();
  };
  return (
    <AuthFrame
      title="Two-factor authentication"
      intro={<p>Enter the 6-digit code of your authenticator app, or a recovery code.</p>}
    >
      <form onSubmit={submit} className="auth-form">
        <Field label="Code">
          {(ids) => (
            <Input
              {...ids}
              name="code"
              autoComplete="one-time-code"
              autoFocus
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          )}
        </Field>
        <label className="auth-form__check">
          <input
            type="checkbox"
            name="rememberDevice"
            checked={rememberDevice}
            onChange={(e) => setRememberDevice(e.target.checked)}
          />
          Remember this browser for 30 days
        </label>
        {verify.isError && (
          <p className="form-error" role="alert">
            {formErrors(verify.error).form}
          </p>
        )}
        <Button type="submit" variant="primary" busy={verify.isPending}>
          Verify
        </Button>
        <Link to={loginPath}>Back to sign in</Link>
      </form>
    </AuthFrame>
  );
}
