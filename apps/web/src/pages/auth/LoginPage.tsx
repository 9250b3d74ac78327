import type { AuthStatus, LoginResult } from "@bifrost/contracts";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, Navigate, useSearchParams } from "react-router";
import { apiFetch } from "../../api/client.js";
import { formErrors } from "../../api/field-errors.js";
import { Button, ErrorState, Field, Input, Spinner } from "../../components/ui/index.js";
import { useAuth } from "../../shell/auth.js";
import { safeNext } from "../../shell/safe-next.js";
import { AuthFrame } from "./AuthFrame.js";
import { useSignInFlow } from "./sign-in-flow.js";
import { ssoErrorMessage } from "./sso-errors.js";
import { PasskeySignInButton } from "./PasskeyParts.js";

export function LoginPage() {
  const { user } = useAuth();
  const [params] = useSearchParams();
  const { proceed } = useSignInFlow();
  const status = useQuery({
    queryKey: ["auth", "status"],
    queryFn: () => apiFetch<AuthStatus>("/auth/status"),
  });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation({
    mutationFn: () => apiFetch<LoginResult>("/auth/login", { method: "POST", body: { email, password } }),
    onSuccess: proceed,
  });

  const next = safeNext(params.get("next"));
  const ssoError = ssoErrorMessage(params.get("sso_error"));
  if (user) return <Navigate to={next} replace />;
  if (status.data?.needsSetup) return <Navigate to="/setup" replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  return (
    <AuthFrame title="Sign in">
      {status.isPending && <Spinner label="Checking the platform…" />}
      {status.isError && <ErrorState error={status.error} onRetry={() => void status.refetch()} />}
      {ssoError && (
        <p className="form-error" role="alert">
          {ssoError}
        </p>
      )}
      {status.data && status.data.ssoProviders.length > 0 && (
        <div className="auth-sso">
          {status.data.ssoProviders.map((provider) => (
            // A full navigation: the server sends the browser on to the provider.
            <a
              key={provider.name}
              className="ui-button ui-button--secondary"
              href={`/auth/oauth/init/${encodeURIComponent(provider.name)}${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`}
            >
              Sign in with {provider.displayName}
            </a>
          ))}
          {status.data.passwordLogin && <p className="auth-sso__or">or with your e-mail and password</p>}
        </div>
      )}
      {status.data && !status.data.passwordLogin && <p>Password sign-in is turned off on this platform.</p>}
      {status.data?.passwordLogin && (
        <form onSubmit={submit} className="auth-form" noValidate={false}>
          <Field label="E-mail">
            {(ids) => (
              <Input
                {...ids}
                type="email"
                name="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <Field label="Password">
            {(ids) => (
              <Input
                {...ids}
                type="password"
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          {login.isError && (
            <p className="form-error" role="alert">
              {formErrors(login.error).form}
            </p>
          )}
          <Button type="submit" variant="primary" busy={login.isPending}>
            Sign in
          </Button>
          <Link to="/forgot-password">Forgot your password?</Link>
        </form>
      )}
      {status.data && <PasskeySignInButton separated={status.data.passwordLogin} />}
    </AuthFrame>
  );
}
