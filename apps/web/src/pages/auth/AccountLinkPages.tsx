import type { LoginResult, TokenPair } from "@bifrost/contracts";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { createPasskey, verifyPasskey } from "../../api/passkeys.js";
import { Button, Field, Input } from "../../components/ui/index.js";
import { AuthFrame } from "./AuthFrame.js";
import { PasskeyToggle } from "./PasskeyParts.js";
import { useSignInFlow } from "./sign-in-flow.js";

/**
 * The token of an invitation or reset link: in the URL's fragment (`#token=…`), which the browser
 * never sends to the server, so no request log ever sees it.
 */
function useLinkToken(): string {
  const [token] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "");
  return token;
}

function PasswordField({
  label,
  hint,
  error,
  value,
  onChange,
}: {
  label: string;
  hint?: string;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} error={error} {...(hint ? { hint } : {})}>
      {(ids) => (
        <Input
          {...ids}
          type="password"
          autoComplete="new-password"
          required
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

function NewPasswordForm({
  submitLabel,
  busy,
  error,
  onSubmit,
}: {
  submitLabel: string;
  busy: boolean;
  error: Error | null;
  onSubmit: (password: string) => void;
}) {
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const mismatch = repeat !== "" && repeat !== password;
  // The server's words (e.g. "Password is too common") under the password; the rest (an expired
  // link) above the button.
  const refused = formErrors(error, ["password"]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!mismatch) onSubmit(password);
  };
  return (
    <form onSubmit={submit} className="auth-form">
      <PasswordField
        label="New password"
        hint="At least 12 characters; a passphrase is best"
        error={refused.fields.password}
        value={password}
        onChange={setPassword}
      />
      <PasswordField label="Repeat the password" value={repeat} onChange={setRepeat} />
      {mismatch && (
        <p className="form-error" role="alert">
          The two passwords differ.
        </p>
      )}
      {refused.form && (
        <p className="form-error" role="alert">
          {refused.form}
        </p>
      )}
      <Button type="submit" variant="primary" busy={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}

const NoToken = () => (
  <p role="alert">
    This page opens from the link in your e-mail. <Link to="/login">Sign in</Link> instead.
  </p>
);

/**
 * `/invite#token=…`: the invited person chooses a password, then signs in (MFA enrolment when
 * required) — or creates a passkey instead, which signs in at once (it is both factors).
 */
export function InvitePage() {
  const token = useLinkToken();
  const { proceed, finish } = useSignInFlow();
  const [withPasskey, setWithPasskey] = useState(false);
  const accept = useMutation({
    mutationFn: (password: string) =>
      apiFetch<LoginResult>("/auth/register-from-invite", { method: "POST", body: { token, password } }),
    onSuccess: proceed,
  });
  const acceptWithPasskey = useMutation({
    mutationFn: async () => {
      const credential = await createPasskey("/auth/register-from-invite/passkey/options", { token });
      return verifyPasskey<TokenPair>("/auth/register-from-invite/passkey/verify", { token, credential });
    },
    onSuccess: finish,
  });
  return (
    <AuthFrame
      title="Accept your invitation"
      intro={
        <p>
          {withPasskey
            ? "Create a passkey to finish setting up your account: your device will ask for your fingerprint, face or PIN."
            : "Choose a password to finish setting up your account."}
        </p>
      }
    >
      {!token ? (
        <NoToken />
      ) : withPasskey ? (
        <div className="auth-form">
          {acceptWithPasskey.isError && (
            <p className="form-error" role="alert">
              {formErrors(acceptWithPasskey.error).form}
            </p>
          )}
          <Button
            variant="primary"
            busy={acceptWithPasskey.isPending}
            onClick={() => acceptWithPasskey.mutate()}
          >
            Create a passkey and sign in
          </Button>
          <PasskeyToggle on={withPasskey} onChange={setWithPasskey} />
        </div>
      ) : (
        <>
          <NewPasswordForm
            submitLabel="Set password and sign in"
            busy={accept.isPending}
            error={accept.error}
            onSubmit={(password) => accept.mutate(password)}
          />
          <PasskeyToggle on={withPasskey} onChange={setWithPasskey} />
        </>
      )}
    </AuthFrame>
  );
}

/** `/forgot-password`: asks for a reset link; the answer never says whether the account exists. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const ask = useMutation({
    mutationFn: () => apiFetch<null>("/auth/password/forgot", { method: "POST", body: { email } }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    ask.mutate();
  };
  return (
    <AuthFrame title="Forgot your password?">
      {ask.isSuccess ? (
        <p role="status">
          If an account uses {email}, a link to choose a new password is on its way. It works once, for 30
          minutes. <Link to="/login">Back to sign in</Link>
        </p>
      ) : (
        <form onSubmit={submit} className="auth-form">
          <Field label="E-mail">
            {(ids) => (
              <Input
                {...ids}
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          {ask.isError && (
            <p className="form-error" role="alert">
              {formErrors(ask.error).form}
            </p>
          )}
          <Button type="submit" variant="primary" busy={ask.isPending}>
            Send me a link
          </Button>
          <Link to="/login">Back to sign in</Link>
        </form>
      )}
    </AuthFrame>
  );
}

/** `/reset-password#token=…`: a new password; every login of the account ends. */
export function ResetPasswordPage() {
  const token = useLinkToken();
  const reset = useMutation({
    mutationFn: (password: string) =>
      apiFetch<null>("/auth/password/reset", { method: "POST", body: { token, password } }),
  });
  return (
    <AuthFrame title="Choose a new password">
      {reset.isSuccess ? (
        <p role="status">
          Your password is changed and you are signed out everywhere. <Link to="/login">Sign in</Link>
        </p>
      ) : token ? (
        <NewPasswordForm
          submitLabel="Change password"
          busy={reset.isPending}
          error={reset.error}
          onSubmit={(password) => reset.mutate(password)}
        />
      ) : (
        <NoToken />
      )}
    </AuthFrame>
  );
}
