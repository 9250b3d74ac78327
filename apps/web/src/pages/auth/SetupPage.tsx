import type { AuthStatus, LoginResult, TokenPair } from "@bifrost/contracts";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Navigate } from "react-router";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { createPasskey, verifyPasskey } from "../../api/passkeys.js";
import { Button, ErrorState, Field, Input, Spinner } from "../../components/ui/index.js";
import { AuthFrame } from "./AuthFrame.js";
import { PasskeyToggle } from "./PasskeyParts.js";
import { useSignInFlow } from "./sign-in-flow.js";

const MIN_PASSWORD = 12;
const FIELDS = ["name", "email", "password"];

/**
 * First run: create the platform admin, then sign in with it (MFA enrolment follows if required) —
 * or, instead of a password, with a passkey, which signs in at once (it is both factors).
 */
export function SetupPage() {
  const { proceed, finish } = useSignInFlow();
  const status = useQuery({
    queryKey: ["auth", "status"],
    queryFn: () => apiFetch<AuthStatus>("/auth/status"),
  });
  const [form, setForm] = useState({ name: "", email: "", password: "", confirm: "" });
  const [checked, setChecked] = useState(false);
  const [withPasskey, setWithPasskey] = useState(false);
  const setup = useMutation({
    mutationFn: async (): Promise<LoginResult> => {
      const { name, email, password } = form;
      if (withPasskey) {
        const credential = await createPasskey("/auth/setup/passkey/options", { name, email });
        return verifyPasskey<TokenPair>("/auth/setup/passkey/verify", { name, email, credential });
      }
      await apiFetch("/auth/setup", { method: "POST", body: { name, email, password } });
      return apiFetch<LoginResult>("/auth/login", { method: "POST", body: { email, password } });
    },
    onSuccess: (result) => ("accessToken" in result ? finish(result) : proceed(result)),
  });

  if (status.data && !status.data.needsSetup && !setup.isPending && !setup.isSuccess) {
    return <Navigate to="/login" replace />;
  }
  // A passkey replaces both password fields.
  const errors = {
    password:
      !withPasskey && form.password.length < MIN_PASSWORD
        ? `The password needs at least ${MIN_PASSWORD} characters.`
        : undefined,
    confirm: !withPasskey && form.confirm !== form.password ? "The passwords differ." : undefined,
  };
  // The server's words (e.g. "Password is too common") under the field it names.
  const refused = formErrors(setup.error, FIELDS);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (!errors.password && !errors.confirm) setup.mutate();
  };
  const bind = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value })),
  });

  return (
    <AuthFrame title="Set up Bifrost" intro={<p>Create the first platform administrator.</p>}>
      {status.isPending && <Spinner />}
      {status.isError && <ErrorState error={status.error} onRetry={() => void status.refetch()} />}
      {status.data && (
        <form onSubmit={submit} className="auth-form">
          <Field label="Name" error={refused.fields.name}>
            {(ids) => <Input {...ids} name="name" autoComplete="name" required {...bind("name")} />}
          </Field>
          <Field label="E-mail" error={refused.fields.email}>
            {(ids) => (
              <Input {...ids} type="email" name="email" autoComplete="username" required {...bind("email")} />
            )}
          </Field>
          {!withPasskey && (
            <>
              <Field
                label="Password"
                hint={`At least ${MIN_PASSWORD} characters.`}
                error={(checked ? errors.password : undefined) ?? refused.fields.password}
              >
                {(ids) => (
                  <Input
                    {...ids}
                    type="password"
                    name="password"
                    autoComplete="new-password"
                    required
                    {...bind("password")}
                  />
                )}
              </Field>
              <Field label="Repeat the password" error={checked ? errors.confirm : undefined}>
                {(ids) => (
                  <Input
                    {...ids}
                    type="password"
                    name="confirm"
                    autoComplete="new-password"
                    required
                    {...bind("confirm")}
                  />
                )}
              </Field>
            </>
          )}
          <PasskeyToggle on={withPasskey} onChange={setWithPasskey} />
          {refused.form && (
            <p className="form-error" role="alert">
              {refused.form}
            </p>
          )}
          <Button type="submit" variant="primary" busy={setup.isPending}>
            {withPasskey ? "Create administrator with a passkey" : "Create administrator"}
          </Button>
        </form>
      )}
    </AuthFrame>
  );
}
